from sensorium.cli import main

raise SystemExit(main())
