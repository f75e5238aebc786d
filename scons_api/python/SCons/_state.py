"""Per-run state of the front end (reset by SCons._docons.read)."""

fs = None              # SCons.Node.FS.FS
tasks = []             # SCons.Builder.Task objects, in declaration order
aliases = {}           # name -> Alias node
values = {}            # key -> Value node
default_targets = None # None until Default() is called
help_text = None
options = {}
request = {}
arguments = []
launch_dir = None
exports = {}           # global Export() table
default_env = None
sconscript_chdir = True
missing_sconscript_error = True  # set_missing_sconscript_error()
decider_default = 'content'
python_deciders = []   # Decider() functions, by id (engine callback 'decide')
scan_calls = []        # (scanner, env, cwd) by id (engine callback 'scan')
cache_dir = None       # CacheDir() folder (absolute), for environments without their own
depended = []          # nodes given to Depends() as targets (those nothing builds keep them)
clean_targets = []     # nodes given extra files to remove by Clean()
build_failures = []    # GetBuildFailures(): BuildErrors, filled once the build is over
script_nodes = []      # the SConstruct/SConscript file nodes read
progress = None        # Progress() record (FORMAT.md `progress`)
progress_function = None  # its function, called back by the engine ('progress')
script_warn = []       # SetOption('warn', ...) values so far
explicit_exit = None   # Exit() status raised in a function action or scanner (engine asks once)
pre_post_nodes = []    # nodes given AddPreAction/AddPostAction (a folder no task builds keeps them)


def reset(request_):
    global fs, tasks, aliases, values, default_targets, help_text, options, request
    global arguments, launch_dir, exports, default_env, sconscript_chdir
    global python_deciders, scan_calls, cache_dir, given_options
    global missing_sconscript_error, depended, clean_targets, pre_post_nodes
    global script_warn, progress, progress_function, script_nodes
    from SCons.Node.FS import FS
    request = request_
    fs = FS(request_['top'])
    tasks = []
    aliases = {}
    values = {}
    default_targets = None
    help_text = None
    options = dict(request_.get('options') or {})
    arguments = [tuple(a) for a in request_.get('arguments') or []]
    launch_dir = request_.get('launch_dir') or request_['top']
    script_warn = []
    progress = None
    progress_function = None
    script_nodes = []
    build_failures[:] = []
    exports = {}
    default_env = None
    sconscript_chdir = True
    python_deciders = []
    scan_calls = []
    cache_dir = None
    depended = []
    given_options = set(request_.get('given_options') or [])
    missing_sconscript_error = True
    clean_targets = []
    pre_post_nodes = []
