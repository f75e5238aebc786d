import SCons.Builder


def generate(env, mode='plain'):
    env['UPPER_MODE'] = mode
    env['BUILDERS']['Upper'] = SCons.Builder.Builder(action='tr a-z A-Z < $SOURCE > $TARGET')


def exists(env):
    return True
