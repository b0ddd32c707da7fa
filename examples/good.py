"""The digits CNN trained well: Adam at 3e-3 on mini-batches. The diagnosis should find nothing."""
from digits_training import main

if __name__ == "__main__":
    main("good")
