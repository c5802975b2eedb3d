"""Sync between the platform and the local cache: the engine (push outbox, pull events) and the read model.

No Textual here. Import the parts you need from their modules (`o2o_tui.sync.engine`, `o2o_tui.sync.read_model`)
so a CLI command that only reads the cache does not pay for the engine's imports.
"""
