"""Sales pages: thin views that check reach, bind a form, call a selector or a service."""
