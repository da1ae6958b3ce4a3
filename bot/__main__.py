import gc

gc.disable()

from bot.cli import main  # noqa: E402

raise SystemExit(main())
