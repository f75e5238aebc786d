def TOOL_STAMP(env):
    env['STAMP'] = 'stamped'
