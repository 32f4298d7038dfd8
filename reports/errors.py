"""The one error type for bad input. The CLI prints it and exits 2."""


class InputError(Exception):
    """Input the reports cannot use. The message always names the file."""

    def __init__(self, path, message):
        super().__init__(f"{path}: {message}")
        self.path = str(path)
