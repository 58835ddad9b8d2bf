"""A community's shared repertoire: questions and answers, practices with revisions, search, value stories."""
