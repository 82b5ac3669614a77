using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
#if NET
using System.Runtime.Loader;
#endif

namespace ElixiModels.Loader;

/// <summary>
/// Loads ElixiModels.dll and its dependencies (OllamaSharp, System.Text.Json 10, caching) without touching the
/// host's default load context: a dedicated AssemblyLoadContext on PowerShell 7, an AssemblyResolve handler on
/// Windows PowerShell 5.1. Called once per process by ElixiModels.psm1.
/// </summary>
public static class ModuleLoader
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Assembly> Loaded = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name of the cmdlet assembly inside the dependency folder.</summary>
    public const string MainAssemblyName = "ElixiModels";

    /// <summary>True once <see cref="Initialize"/> has loaded the module from <paramref name="libDirectory"/>.</summary>
    public static bool IsInitialized(string libDirectory)
    {
        lock (Gate)
        {
            return Loaded.ContainsKey(Path.GetFullPath(libDirectory));
        }
    }

    /// <summary>Loads the cmdlet assembly from <paramref name="libDirectory"/>; repeated calls return the same assembly.</summary>
    public static Assembly Initialize(string libDirectory)
    {
        string dir = Path.GetFullPath(libDirectory);
        string main = Path.Combine(dir, MainAssemblyName + ".dll");
        if (!File.Exists(main))
        {
            throw new FileNotFoundException($"The ElixiModels binary is missing: '{main}'. Build the module first (dotnet build).", main);
        }

        lock (Gate)
        {
            if (Loaded.TryGetValue(dir, out Assembly? existing))
            {
                return existing;
            }

#if NET
            var context = new ModuleLoadContext(dir);
            Assembly assembly = context.LoadFromAssemblyPath(main);
#else
            AppDomain.CurrentDomain.AssemblyResolve += new DependencyResolver(dir).Resolve;
            Assembly assembly = Assembly.LoadFrom(main);
#endif
            Loaded[dir] = assembly;
            return assembly;
        }
    }

    /// <summary>
    /// Whether a dependency must come from the host rather than the module folder: PowerShell's own assemblies
    /// (so cmdlet and parameter types unify) and framework assemblies at least as new as the one asked for.
    /// </summary>
    internal static bool PreferHost(AssemblyName name, string? hostCopy)
    {
        string simple = name.Name ?? string.Empty;
        if (simple.Equals("System.Management.Automation", StringComparison.OrdinalIgnoreCase)
            || simple.StartsWith("Microsoft.PowerShell.", StringComparison.OrdinalIgnoreCase)
            || simple.Equals("netstandard", StringComparison.OrdinalIgnoreCase)
            || simple.Equals("mscorlib", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (hostCopy is null || !File.Exists(hostCopy))
        {
            return false;
        }

        try
        {
            Version? hostVersion = AssemblyName.GetAssemblyName(hostCopy).Version;
            return hostVersion is not null && (name.Version is null || hostVersion >= name.Version);
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

#if NET
    private sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly string FrameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        private readonly string _directory;

        public ModuleLoadContext(string directory)
            : base("ElixiModels", isCollectible: false)
        {
            _directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string file = assemblyName.Name + ".dll";
            string local = Path.Combine(_directory, file);
            if (!File.Exists(local) || PreferHost(assemblyName, Path.Combine(FrameworkDirectory, file)))
            {
                return null;
            }

            return LoadFromAssemblyPath(local);
        }
    }
#else
    private sealed class DependencyResolver
    {
        private readonly string _directory;

        public DependencyResolver(string directory) => _directory = directory;

        public Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            string local = Path.Combine(_directory, name.Name + ".dll");
            if (!File.Exists(local) || PreferHost(name, null))
            {
                return null;
            }

            // Windows PowerShell has no binding redirects for modules: accept the folder's copy for any version asked.
            return Assembly.LoadFrom(local);
        }
    }
#endif
}
