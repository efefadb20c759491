from energytrade.cli import main

raise SystemExit(main())
