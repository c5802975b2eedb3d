"""Domain and wire models shared by the client and the reference platform server.

One source of truth for the contract: the server encodes these structs, the client decodes them strictly.
"""
