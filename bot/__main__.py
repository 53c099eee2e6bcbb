from smartstep.cli import main

main()
