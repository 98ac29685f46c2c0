"""expand_contract: rename or retype a column in three releases (see docs/expand_contract.rst)."""
