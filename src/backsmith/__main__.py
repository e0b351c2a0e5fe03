from backsmith.cli import main

main()
