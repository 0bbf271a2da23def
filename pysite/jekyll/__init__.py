"""Jekyll sites (and what Hexo shares with them): recognition, `_config.yml`, publishing rules,
permalinks, Liquid layouts and tags, kramdown attribute lists."""
