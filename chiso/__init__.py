"""Chỉ số: rankings, trends and component gaps of the administrative-reform indices."""
