from zhifa.cli import main

main()
