from papershelf.cli.main import main

main()
