import SCons.Builder


def generate(env):
    env['BUILDERS']['Lower'] = SCons.Builder.Builder(action='tr A-Z a-z < ${SOURCE.file} > ${TARGET.file}')


def exists(env):
    return True
