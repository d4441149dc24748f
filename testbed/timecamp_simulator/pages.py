"""The HTML TimeCamp serves where a JSON client does not expect it."""

from __future__ import annotations

LOGIN_PATH = "/auth/login"

LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in | TimeCamp</title></head>
<body><form method="post" action="/auth/login"><h1>Log in to TimeCamp</h1>
<input type="email" name="email"><input type="password" name="password">
<button type="submit">Log in</button></form></body></html>
"""

MAINTENANCE_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TimeCamp</title></head>
<body><h1>We'll be back soon</h1><p>TimeCamp is undergoing scheduled maintenance.</p></body></html>
"""
