"""The rules of the queue: plain values in, plain values and events out; standard library only."""
