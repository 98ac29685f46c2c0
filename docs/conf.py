project = "django-zerodowntime"
author = "django-zerodowntime developers"
extensions: list[str] = []
html_theme = "alabaster"
exclude_patterns = ["_build"]
