"""Translation marker for domain code.

Domain code never translates: it marks a message with ``N_`` so that Babel extracts it, and the web
layer translates it in the user's language when it shows the message.
"""


def N_(message: str) -> str:
    return message
