"""How `xephang serve` serves: the asyncio model and the limits that keep it answering."""
