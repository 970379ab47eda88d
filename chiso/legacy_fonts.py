def detect(text):
    return None
