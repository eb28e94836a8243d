"""Import of creator, video and hashtag exports: reading, header matching, validation, reports."""
