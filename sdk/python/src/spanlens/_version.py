SDK_NAME = "spanlens"
SDK_VERSION = "0.1.0"
