/* db.c - arriving next. */
