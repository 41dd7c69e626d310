"""Views: thin: check access, bind the form, call a selector or a service, render or redirect."""
