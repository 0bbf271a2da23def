"""What Hexo sites do differently from Jekyll's: their URLs and their tag plugins."""
