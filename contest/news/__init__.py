"""News posts: the organisers' editor and the public list, post pages and Atom feed."""
