# The OS2 sandbox prelude: evaluated once in every fresh context, before the user's script.
#
# It defines one function, _os2_prepare, which the host removes from __main__ at once and calls
# when it makes the context, before any run has claimed it: everything that does not depend on the
# run happens there (deterministic host identity and time, the hidden tracing controls, the import
# gate, the `os2` module). It returns the three functions the run calls on its own thread: bind,
# with the seed and the bridge objects (it seeds the entropy and installs the fuel tracer), run,
# with the user's source, and exit_handlers. Every context goes through the same two steps in the same order, whether it was made
# ahead as a spare or on demand, so where and when the first step ran is invisible to the script.
#
# Everything lives in closures and locals of _os2_prepare, never in module globals, so the user's
# script (which runs in __main__) cannot shadow what the prelude relies on. The bridge objects are
# host proxies that are safe to call from user code: the tracer only ever adds fuel, the clock only
# reads or moves virtual time forward, the gateway is the capability boundary itself.
#
# Fuel: a line event of a frame whose code is not the standard library's (the user's script, the
# workspace modules the gateway hands in, and whatever they compile with exec/eval) costs one unit.
# The standard library is not metered.


def _os2_prepare(recursion_max, int_digits_max, metered):
    import sys
    import builtins
    import posix
    import _io as io
    import _random

    # Set by bind for the run; the closures below read them when they are called.
    seed = 0
    tracer = clock = gateway = None

    # Code under these file names is the standard library's or the sandbox's, not the script's.
    prefix = sys.prefix + '/' if sys.prefix else '\0'
    startswith = str.startswith
    unmetered = (prefix, '<frozen ', '<os2-prelude>')
    # Code under these file names is the workspace's (modules the gateway hands in): always metered.
    metered_origins = tuple(str(origin) for origin in metered)

    # ---- Output: unbuffered, so every byte written before a stop has reached the host. ----------
    def _stream(fd):
        raw = io.FileIO(fd, 'w', closefd=False)
        return io.TextIOWrapper(raw, encoding='utf-8', errors='backslashreplace',
                                newline='\n', write_through=True)

    sys.stdout = sys.__stdout__ = _stream(1)
    sys.stderr = sys.__stderr__ = _stream(2)

    # ---- Entropy: one seeded stream replaces every source of host randomness. -------------------
    mask64 = (1 << 64) - 1
    # Seeded by bind: no run reads it before.
    entropy = _random.Random()
    _index = int.__index__

    def urandom(size):
        size = _index(size)
        if size < 0:
            raise ValueError("negative argument not allowed")
        if size == 0:
            return b''
        return entropy.getrandbits(8 * size).to_bytes(size, 'little')

    # ---- Host identity: fixed values instead of the JVM's process, user, machine. --------------
    uname_type = type(posix.uname())
    identity = {
        'urandom': urandom,
        'getpid': lambda: 1,
        'getppid': lambda: 0,
        'getuid': lambda: 1000,
        'geteuid': lambda: 1000,
        'getgid': lambda: 1000,
        'getegid': lambda: 1000,
        'getcwd': lambda: '/',
        'getcwdb': lambda: b'/',
        'cpu_count': lambda: 1,
        'uname': lambda: uname_type(('OS2', 'sandbox', '1', '1', 'python')),
    }
    if hasattr(posix, 'getrandom'):
        identity['getrandom'] = lambda size, flags=0: urandom(size)

    def _exit(status):
        # Ends the script like sys.exit, which the driver reports; never the host.
        raise SystemExit(_index(status))

    identity['_exit'] = _exit
    # os copies posix's functions when it is imported; it may have been already.
    for module in (posix, sys.modules.get('os')):
        if module is None:
            continue
        for name, fn in identity.items():
            if name == 'urandom' or hasattr(module, name):
                setattr(module, name, fn)
        for name in ('getloadavg', 'sched_getaffinity', 'times', 'get_terminal_size'):
            if hasattr(module, name):
                delattr(module, name)
    posix.environ.clear()
    if 'os' in sys.modules:
        sys.modules['os'].environ._data.clear()
    # GraalPy's own module: its clocks and memory figures are the host's.
    graalpython = sys.modules.get('__graalpython__') or getattr(builtins, '__graalpython__', None)
    for name in ('time_millis', 'startup_nano', 'startup_wall_clock_ts', 'get_current_rss'):
        if graalpython is not None and hasattr(graalpython, name):
            delattr(graalpython, name)

    def breakpoint(*args, **kwargs):
        raise RuntimeError("breakpoint() is not available in the OS2 sandbox")

    builtins.breakpoint = breakpoint
    sys.breakpointhook = breakpoint

    # ---- Virtual time: the host's clock advances with fuel used and sleeps, never with wall time.
    # Patched when `time` is first imported (importing it costs a context a tenth of a second).
    def time_ns():
        return clock(0, 0)

    def monotonic_ns():
        return clock(1, 0)

    def time_():
        return clock(0, 0) / 1e9

    def monotonic():
        return clock(1, 0) / 1e9

    def sleep(secs):
        if secs != secs or secs < 0:
            raise ValueError("sleep length must be non-negative")
        clock(2, int(secs * 1_000_000_000))

    def after_time(time):
        real_localtime = time.localtime
        real_gmtime = time.gmtime
        real_ctime = time.ctime
        real_asctime = time.asctime
        real_strftime = time.strftime
        realtime_id = getattr(time, 'CLOCK_REALTIME', 0)

        def localtime(secs=None):
            return real_localtime(time_() if secs is None else secs)

        def gmtime(secs=None):
            return real_gmtime(time_() if secs is None else secs)

        def ctime(secs=None):
            return real_ctime(time_() if secs is None else secs)

        def asctime(t=None):
            return real_asctime(localtime() if t is None else t)

        def strftime(format, t=None):
            return real_strftime(format, localtime() if t is None else t)

        def clock_gettime_ns(clk_id):
            return time_ns() if clk_id == realtime_id else monotonic_ns()

        def clock_gettime(clk_id):
            return clock_gettime_ns(clk_id) / 1e9

        patched = {
            'time': time_, 'time_ns': time_ns, 'monotonic': monotonic, 'monotonic_ns': monotonic_ns,
            'perf_counter': monotonic, 'perf_counter_ns': monotonic_ns,
            'process_time': monotonic, 'process_time_ns': monotonic_ns,
            'thread_time': monotonic, 'thread_time_ns': monotonic_ns,
            'sleep': sleep, 'localtime': localtime, 'gmtime': gmtime, 'ctime': ctime,
            'asctime': asctime, 'strftime': strftime,
            'clock_gettime': clock_gettime, 'clock_gettime_ns': clock_gettime_ns,
        }
        for name, fn in patched.items():
            fn.__name__ = fn.__qualname__ = name
            setattr(time, name, fn)

    # The built-in datetime reads the JVM clock directly; the pure-Python one reads time.time().
    sys.modules['_datetime'] = None

    # ---- Modules patched as they are imported, and modules that are not available at all. -------
    def after_random(m):
        real_seed = m.Random.seed

        def seed_(self, a=None, version=2):
            if a is None:
                a = entropy.getrandbits(64)
            real_seed(self, a, version)

        seed_.__name__ = seed_.__qualname__ = 'seed'
        m.Random.seed = seed_
        m.seed(seed)

    def after_uuid(m):
        # getnode() would run `ip`/`ifconfig`; the node comes from the seeded random module.
        m._GETTERS[:] = []

    def after_gc(m):
        for name in ('get_objects', 'get_referrers', 'get_referents'):
            if hasattr(m, name):
                delattr(m, name)

    # Timers would deliver signals at wall-clock moments.
    signal_module = sys.modules.get('_signal')
    if signal_module is not None:
        for name in ('alarm', 'setitimer', 'getitimer', 'pause', 'pthread_kill', 'sigwait',
                     'sigtimedwait', 'sigwaitinfo'):
            if hasattr(signal_module, name):
                delattr(signal_module, name)

    hooks = {'time': after_time, 'random': after_random, 'uuid': after_uuid, 'gc': after_gc}
    blocked = frozenset((
        'ctypes', '_ctypes',
        'resource', 'multiprocessing', '_multiprocessing', 'faulthandler', 'pty', 'termios', 'fcntl',
    ))

    class HookedLoader:
        def __init__(self, loader, hook):
            self.loader = loader
            self.hook = hook

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            self.loader.exec_module(module)
            self.hook(module)

    # polyglot and java stay importable: the standard library uses them, and the context's policy
    # denies what they could reach (other languages, host classes).
    class ImportGate:
        """Refuses the modules that reach past the sandbox and patches the ones that leak entropy."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.partition('.')[0] in blocked:
                raise ModuleNotFoundError(
                    f"No module named {name!r} (not available in the OS2 sandbox)", name=name)
            hook = hooks.get(name)
            if hook is None:
                return None
            for finder in sys.meta_path:
                if finder is ImportGate or not hasattr(finder, 'find_spec'):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                        spec.loader = HookedLoader(spec.loader, hook)
                    return spec
            return None

        @staticmethod
        def invalidate_caches():
            pass

    sys.meta_path.insert(0, ImportGate)
    for name, hook in hooks.items():
        # random's hook seeds the module, so for a random imported already it waits for bind.
        if name in sys.modules and name != 'random':
            hook(sys.modules[name])
    for name in list(sys.modules):
        if name.partition('.')[0] in blocked:
            del sys.modules[name]

    # ---- Identity: user classes hash and print by id(), which is a per-context counter, instead of
    # by the JVM's identity hash, which differs from run to run. A class statement of the script's
    # without bases or metaclass gets this base instead of object; it adds no state and defines
    # nothing else. The standard library's classes are left as they are.
    class SandboxObject:
        """The default base of classes in the OS2 sandbox: object, with reproducible hash and repr."""
        __slots__ = ()

        def __hash__(self):
            return id(self)

        def __repr__(self):
            cls = type(self)
            return f"<{cls.__module__}.{cls.__qualname__} object at {id(self):#x}>"

    SandboxObject.__module__ = 'os2'
    SandboxObject.__qualname__ = 'SandboxObject'
    real_build_class = builtins.__build_class__

    getframe = sys._getframe

    def build_class(func, name, *bases, **kwargs):
        if (not bases or bases == (object,)) and 'metaclass' not in kwargs \
                and not startswith(getframe(1).f_code.co_filename, unmetered):
            bases = (SandboxObject,)
        return real_build_class(func, name, *bases, **kwargs)

    build_class.__name__ = build_class.__qualname__ = '__build_class__'
    builtins.__build_class__ = build_class

    # ---- Limits the user may not raise past the host's settings. -------------------------------
    real_setrecursionlimit = sys.setrecursionlimit

    def setrecursionlimit(limit):
        real_setrecursionlimit(min(_index(limit), recursion_max))

    sys.setrecursionlimit = setrecursionlimit
    real_setrecursionlimit(min(sys.getrecursionlimit(), recursion_max))
    if hasattr(sys, 'set_int_max_str_digits'):
        real_set_digits = sys.set_int_max_str_digits

        def set_int_max_str_digits(maxdigits):
            maxdigits = _index(maxdigits)
            if maxdigits == 0 or maxdigits > int_digits_max:
                maxdigits = int_digits_max
            real_set_digits(maxdigits)

        sys.set_int_max_str_digits = set_int_max_str_digits

    # ---- The os2 module: the script's only way to the kernel. -----------------------------------
    os2 = type(sys)('os2')
    os2.__doc__ = "The OS2 kernel, as the capabilities granted to this run's subject."

    class CapabilityDenied(PermissionError):
        """The kernel refused a capability invocation; the reason is the message."""

    CapabilityDenied.__module__ = 'os2'
    CapabilityDenied.__qualname__ = 'CapabilityDenied'

    class InvocationFailed(RuntimeError):
        """The capability ran and its handler failed; the error is the message."""

    InvocationFailed.__module__ = 'os2'
    InvocationFailed.__qualname__ = 'InvocationFailed'

    def invoke(capability_id, /, **args):
        """Invokes a granted capability with keyword arguments; returns its decoded JSON result."""
        if not isinstance(capability_id, str):
            raise TypeError("capability_id must be a str")
        import json
        reply = gateway(0, capability_id, json.dumps(args, sort_keys=True, separators=(',', ':')))
        kind, body = reply[0], reply[1:]
        if kind == 'A':
            return json.loads(body)
        if kind == 'D':
            raise CapabilityDenied(body)
        if kind == 'F':
            raise InvocationFailed(body)
        raise RuntimeError(body)

    def capabilities():
        """The ids of the capabilities granted to this run, sorted."""
        import json
        return json.loads(gateway(1, '', ''))

    invoke.__module__ = capabilities.__module__ = 'os2'
    invoke.__qualname__ = 'invoke'
    capabilities.__qualname__ = 'capabilities'
    os2.invoke = invoke
    os2.capabilities = capabilities
    os2.CapabilityDenied = CapabilityDenied
    os2.InvocationFailed = InvocationFailed
    sys.modules['os2'] = os2

    # ---- Modules from the host: the workspace's own and installed packages, handed in as source
    # by the gateway (the sandbox has no file access), after the standard library's finders. -----
    class GatewayLoader:
        def __init__(self, source, origin):
            self.source = source
            self.origin = origin

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            code = compile(self.source, self.origin, 'exec', dont_inherit=True)
            exec(code, module.__dict__)

        def get_source(self, name):
            return self.source

    class GatewayFinder:
        """Finds modules the standard library does not have through the os2 gateway."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            reply = gateway(2, name, '')
            kind, body = reply[0], reply[1:]
            if kind == 'N':
                return None
            if kind != 'M':
                raise ImportError(f"cannot import {name!r}: {body}", name=name)
            import json
            from importlib.machinery import ModuleSpec
            info = json.loads(body)
            spec = ModuleSpec(name, GatewayLoader(info['source'], info['origin']), origin=info['origin'],
                              is_package=info['package'])
            spec.has_location = True
            return spec

        @staticmethod
        def invalidate_caches():
            pass

    sys.meta_path.append(GatewayFinder)

    # ---- The fuel tracer. -----------------------------------------------------------------------
    main_file = ['\0']
    metering = [True]

    def meter(frame, event, arg):
        # Called on every new frame; the frames it meters get the host tracer, which counts lines.
        # The script's own file is always metered. Other code outside the standard library (what
        # exec and eval compile) is metered when the script ran it, not when the standard library
        # did (namedtuple and dataclass helpers, modules that exec code at import).
        filename = frame.f_code.co_filename
        if filename == main_file[0] or startswith(filename, metered_origins):
            return tracer
        if not metering[0] or startswith(filename, unmetered):
            return None
        back = frame.f_back
        if back is not None and startswith(back.f_code.co_filename, unmetered):
            return None
        return tracer

    def failure(exc, text, filename):
        # Loading the formatter is the sandbox's work, not the script's: unmetered.
        metering[0] = False
        try:
            import linecache
            import traceback
        finally:
            metering[0] = True
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        try:
            te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
            te.stack = traceback.StackSummary.from_list(
                [f for f in te.stack if f.filename != '<os2-prelude>'])
            lines = []
            for chunk in te.format():
                lines.extend(chunk.rstrip('\n').split('\n'))
        except BaseException:
            lines = []
        try:
            message = str(exc)
        except BaseException:
            message = '<exception str() failed>'
        # Where GraalPy keeps its standard library depends on the machine; the result must not.
        if sys.prefix:
            lines = [line.replace(sys.prefix, '<python>') for line in lines]
            message = message.replace(sys.prefix, '<python>')
        cls = type(exc)
        name = cls.__qualname__
        if cls.__module__ not in ('builtins', '__main__'):
            name = f"{cls.__module__}.{name}"
        return ('failed', name, message, lines)

    def run(text, filename, argv):
        """Runs the user's source as __main__; returns what happened as a tuple of strings."""
        sys.argv[:] = list(argv)
        main_file[0] = filename
        g = sys.modules['__main__'].__dict__
        g['__file__'] = filename
        try:
            code = compile(text, filename, 'exec', dont_inherit=True)
        except BaseException as exc:
            return failure(exc, text, filename)
        try:
            exec(code, g)
        except SystemExit as exc:
            if exc.code is None or exc.code == 0:
                return ('completed',)
            return failure(exc, text, filename)
        except BaseException as exc:
            return failure(exc, text, filename)
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
        return ('completed',)

    def exit_handlers():
        # What the interpreter would run when the context closes runs here instead, as part of the
        # run: metered, its output captured, before the result. The host closes the context after
        # handing the result over, when nothing of the script may run any more.
        atexit = sys.modules.get('atexit')
        if atexit is None:
            return
        try:
            atexit._run_exitfuncs()
        except BaseException:
            pass
        try:
            atexit._clear()
        except BaseException:
            pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass

    # Kept nowhere else: with settrace and gettrace gone from sys, neither the user nor the frames
    # they can reach hold a way to switch metering off for new frames.
    settrace = sys.settrace
    for name in ('settrace', 'setprofile', 'gettrace', 'getprofile', '_current_frames',
                 '_current_exceptions'):
        if hasattr(sys, name):
            delattr(sys, name)

    def bind(seed_, tracer_, clock_, gateway_):
        """Binds the run's seed and bridges and installs the tracer on the calling thread."""
        nonlocal seed, tracer, clock, gateway
        seed, tracer, clock, gateway = seed_, tracer_, clock_, gateway_
        entropy.seed(((seed * 0x9E3779B97F4A7C15) ^ 0x6F73325F656E7472) & mask64)
        if 'random' in sys.modules:
            after_random(sys.modules['random'])
        # The trace function is per thread: the run's thread is the one that executes the script.
        settrace(meter)

    # Three functions the host calls one after the other, so that none of them is on the stack
    # below another: the frames the script can walk to (run's, exit_handlers') hold neither
    # settrace nor the tracer.
    return bind, run, exit_handlers
