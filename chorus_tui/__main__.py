from chorus_tui.cli import main

raise SystemExit(main())
