import gc

# A one-shot command frees what it builds by reference counting: the cyclic collector
# would only rescan the imported modules' objects (`schedule` turns it back on).
gc.disable()

from bot.cli import main  # noqa: E402

raise SystemExit(main())
