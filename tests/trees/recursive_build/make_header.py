import sys
with open(sys.argv[1], 'w') as f:
    f.write('#define MADE_BY_HELPER 1\n')
