from pysite.cli import main

main()
