from tests.scenarios.initial import Migration

__all__ = ["Migration"]
