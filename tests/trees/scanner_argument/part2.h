part2
