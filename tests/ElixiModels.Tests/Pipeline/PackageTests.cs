using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>The packaged module (src/ElixiModels.Package): a versioned folder and a PSResourceGet-style nupkg.</summary>
public sealed class PackageTests
{
    private static readonly string Version = typeof(PackageTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];

    private static string Folder => Repo.Path2("artifacts", "ElixiModels", Version);

    private static string Nupkg => Repo.Path2("artifacts", "nupkg", $"ElixiModels.{Version}.nupkg");

    [Fact]
    public void The_module_folder_imports_and_has_help()
    {
        Assert.True(File.Exists(Path.Combine(Folder, "ElixiModels.psd1")), "package the module first (./build.ps1 -Task Package, or -Task Test): " + Folder);
        using PsSession ps = PsSession.Start();
        PsResult manifest = ps.Invoke("Test-ModuleManifest $args[0]", Path.Combine(Folder, "ElixiModels.psd1"));
        manifest.AssertNoErrors();

        PsResult r = ps.Invoke("Remove-Module ElixiModels; Import-Module $args[0] -PassThru | ForEach-Object ModuleBase; (Get-Command -Module ElixiModels).Count; (Get-Help Get-OllamaModel).Synopsis", Path.Combine(Folder, "ElixiModels.psd1"));
        r.AssertNoErrors();
        Assert.Equal(Folder.TrimEnd('/'), r.Output[0].ToString()!.TrimEnd('/'));
        Assert.Equal(ModuleTests.Cmdlets.Length, (int)r.Output[1].BaseObject);
        Assert.StartsWith("Lists the models installed", r.Output[2].ToString());
    }

    [Fact]
    public void The_nupkg_has_the_module_at_its_root_and_gallery_metadata()
    {
        Assert.True(File.Exists(Nupkg), "package the module first (./build.ps1 -Task Package, or -Task Test): " + Nupkg);
        using ZipArchive zip = ZipFile.OpenRead(Nupkg);
        string[] names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("ElixiModels.psd1", names);
        Assert.Contains("ElixiModels.psm1", names);
        Assert.Contains("bin/Core/ElixiModels.Loader.dll", names);
        Assert.Contains("bin/Desktop/ElixiModels.Loader.dll", names);
        Assert.Contains("bin/lib/ElixiModels.dll", names);
        Assert.Contains("bin/lib/OllamaSharp.dll", names);
        Assert.Contains("en-US/ElixiModels.dll-Help.xml", names);
        Assert.DoesNotContain(names, n => n.EndsWith("System.Management.Automation.dll"));

        using Stream nuspec = zip.GetEntry("ElixiModels.nuspec")!.Open();
        XDocument doc = XDocument.Load(nuspec);
        XNamespace ns = doc.Root!.Name.Namespace;
        XElement meta = doc.Root.Element(ns + "metadata")!;
        Assert.Equal("ElixiModels", meta.Element(ns + "id")!.Value);
        Assert.Equal(Version, meta.Element(ns + "version")!.Value);
        string tags = meta.Element(ns + "tags")!.Value;
        Assert.Contains("PSModule", tags);
        foreach (string cmdlet in ModuleTests.Cmdlets)
        {
            Assert.Contains("PSCmdlet_" + cmdlet, tags);
        }

        Assert.False(string.IsNullOrWhiteSpace(meta.Element(ns + "releaseNotes")?.Value));
        Assert.False(string.IsNullOrWhiteSpace(meta.Element(ns + "projectUrl")?.Value));
    }
}
