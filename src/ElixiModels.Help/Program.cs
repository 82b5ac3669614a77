using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Xml.Linq;

// Usage: ElixiModels.Help <repo-root>
// Reads src/ElixiModels.Help/<Cmdlet>.md for every exported cmdlet and writes module/en-US/ElixiModels.dll-Help.xml.
string root = Path.GetFullPath(args.Length > 0 ? args[0] : ".");
string pages = Path.Combine(root, "src", "ElixiModels.Help");
string output = Path.Combine(root, "module", "en-US", "ElixiModels.dll-Help.xml");

using Runspace rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
rs.Open();
using PowerShell ps = PowerShell.Create();
ps.Runspace = rs;
ps.AddScript("Import-Module $args[0] -ErrorAction Stop; (Get-Module ElixiModels).ExportedCmdlets.Values")
    .AddArgument(Path.Combine(root, "ElixiModels.psd1"));
List<CmdletInfo> cmdlets;
try
{
    cmdlets = ps.Invoke().Select(o => (CmdletInfo)o.BaseObject).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine("help: cannot import the module: " + ex.Message);
    return 1;
}

XNamespace msh = "http://msh";
XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
XNamespace dev = "http://schemas.microsoft.com/maml/dev/2004/10";
var items = new XElement(msh + "helpItems", new XAttribute("schema", "maml"),
    new XAttribute(XNamespace.Xmlns + "maml", maml.NamespaceName),
    new XAttribute(XNamespace.Xmlns + "command", command.NamespaceName),
    new XAttribute(XNamespace.Xmlns + "dev", dev.NamespaceName));
int missing = 0;

foreach (CmdletInfo cmdlet in cmdlets)
{
    string file = Path.Combine(pages, cmdlet.Name + ".md");
    if (!File.Exists(file))
    {
        Console.WriteLine($"help: warning: no help page {file}; {cmdlet.Name} gets metadata-only help");
        missing++;
    }

    HelpPage page = File.Exists(file) ? HelpPage.Parse(File.ReadAllText(file)) : new HelpPage();
    items.Add(Command(cmdlet, page));
}

Directory.CreateDirectory(Path.GetDirectoryName(output)!);
var doc = new XDocument(new XDeclaration("1.0", "utf-8", null), items);
string text = doc.Declaration + Environment.NewLine + doc.ToString();
if (!File.Exists(output) || File.ReadAllText(output) != text)
{
    File.WriteAllText(output, text, new UTF8Encoding(false));
}

// PowerShell also looks for a cmdlet's help beside its assembly: that is where it finds it when the module is
// imported straight from the repository (the module base is then the repository root).
// After Import-Module -Force the cmdlets belong to the manifest's module, whose base is the repository root: it
// looks in en-US there (beside the about_ topics), so the help is staged there too (ignored by git).
foreach (string staged in new[]
{
    Path.Combine(root, "module", "bin", "lib", "en-US", Path.GetFileName(output)),
    Path.Combine(root, "en-US", Path.GetFileName(output)),
})
{
    Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
    File.Copy(output, staged, overwrite: true);
}

Console.WriteLine($"help: {cmdlets.Count} cmdlets -> {output}{(missing > 0 ? $" ({missing} without a page)" : string.Empty)}");
return 0;

XElement Command(CmdletInfo cmdlet, HelpPage page)
{
    var common = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };
    bool shouldProcess = cmdlet.Parameters.ContainsKey("WhatIf");
    // A parameter a user cannot use (DontShow, e.g. -PipedHost, bound from a piped object's Host) is not documented;
    // -WhatIf and -Confirm are, on cmdlets that support ShouldProcess, as in PowerShell's own help.
    var parameters = cmdlet.Parameters.Values
        .Where(p => !common.Contains(p.Name) && !Hidden(cmdlet, p.Name))
        .OrderBy(p => Position(p)).ThenBy(p => p.Name).ToList();
    if (shouldProcess)
    {
        parameters.Add(cmdlet.Parameters["WhatIf"]);
        parameters.Add(cmdlet.Parameters["Confirm"]);
        page.Parameters.TryAdd("WhatIf", "Shows what would happen if the cmdlet runs. The cmdlet is not run.");
        page.Parameters.TryAdd("Confirm", "Prompts you for confirmation before running the cmdlet.");
    }

    XElement Parameter(ParameterMetadata p, ParameterSetMetadata? set)
    {
        ParameterSetMetadata meta = set ?? p.ParameterSets.Values.First();
        bool isSwitch = p.SwitchParameter;
        string pipeline = (meta.ValueFromPipeline, meta.ValueFromPipelineByPropertyName) switch
        {
            (true, true) => "True (ByPropertyName, ByValue)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var e = new XElement(command + "parameter",
            new XAttribute("required", set is null ? p.ParameterSets.Values.All(s => s.IsMandatory).ToString().ToLowerInvariant() : meta.IsMandatory.ToString().ToLowerInvariant()),
            new XAttribute("variableLength", p.ParameterType.IsArray.ToString().ToLowerInvariant()),
            new XAttribute("globbing", p.Attributes.OfType<SupportsWildcardsAttribute>().Any().ToString().ToLowerInvariant()),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", meta.Position >= 0 ? meta.Position.ToString(CultureInfo.InvariantCulture) : "named"),
            new XAttribute("aliases", p.Aliases.Count > 0 ? string.Join(", ", p.Aliases) : "none"),
            new XElement(maml + "name", p.Name),
            Description(page.Parameters.TryGetValue(p.Name, out string? d) ? d : string.Empty));
        if (!isSwitch)
        {
            e.Add(new XElement(command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", p.ParameterType.IsArray.ToString().ToLowerInvariant()), TypeName(p.ParameterType)));
        }

        Type shown = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        e.Add(new XElement(dev + "type", new XElement(maml + "name", shown.FullName), new XElement(maml + "uri")));
        e.Add(new XElement(dev + "defaultValue", page.Defaults.TryGetValue(p.Name, out string? dv) ? dv : (isSwitch ? "False" : "None")));
        return e;
    }

    var syntax = new XElement(command + "syntax");
    foreach (CommandParameterSetInfo set in cmdlet.ParameterSets)
    {
        var item = new XElement(command + "syntaxItem", new XElement(maml + "name", cmdlet.Name));
        foreach (ParameterMetadata p in parameters.Where(p => p.ParameterSets.ContainsKey(set.Name) || p.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets)))
        {
            ParameterSetMetadata meta = p.ParameterSets.TryGetValue(set.Name, out ParameterSetMetadata? m) ? m : p.ParameterSets[ParameterAttribute.AllParameterSets];
            item.Add(Parameter(p, meta));
        }

        syntax.Add(item);
    }

    var element = new XElement(command + "command",
        new XElement(command + "details",
            new XElement(command + "name", cmdlet.Name),
            new XElement(command + "verb", cmdlet.Verb),
            new XElement(command + "noun", cmdlet.Noun),
            Description(page.Synopsis)),
        Description(page.Description),
        syntax,
        new XElement(command + "parameters", parameters.Select(p => Parameter(p, null))),
        new XElement(command + "inputTypes", page.Inputs.Select(i => new XElement(command + "inputType",
            new XElement(dev + "type", new XElement(maml + "name", i.Key)), Description(i.Value)))),
        new XElement(command + "returnValues", page.Outputs.Select(o => new XElement(command + "returnValue",
            new XElement(dev + "type", new XElement(maml + "name", o.Key)), Description(o.Value)))));
    if (page.Notes.Length > 0 || shouldProcess)
    {
        element.Add(new XElement(maml + "alertSet", new XElement(maml + "alert", Paras(page.Notes))));
    }

    int n = 0;
    element.Add(new XElement(command + "examples", page.Examples.Select(x => new XElement(command + "example",
        new XElement(maml + "title", $"-------------------------- Example {++n}: {x.Title} --------------------------"),
        new XElement(dev + "code", x.Code),
        new XElement(dev + "remarks", Paras(x.Remarks))))));
    element.Add(new XElement(command + "relatedLinks", page.Links.Select(l => new XElement(maml + "navigationLink",
        new XElement(maml + "linkText", l.Text), new XElement(maml + "uri", l.Uri)))));
    return element;
}

XElement Description(string text) => new(maml + "description", Paras(text));

IEnumerable<XElement> Paras(string text) =>
    text.Replace("\r", string.Empty).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
        .Select(p => new XElement(maml + "para", p.Trim()));

bool Hidden(CmdletInfo cmdlet, string name) =>
    cmdlet.ImplementingType.GetProperty(name)?.GetCustomAttributes(true).OfType<ParameterAttribute>().Any(a => a.DontShow) == true;

// Types as users type them: ModelTask, not Nullable`1.
string TypeName(Type t) => t.IsArray ? TypeName(t.GetElementType()!) + "[]" : Nullable.GetUnderlyingType(t) is { } inner ? TypeName(inner) : t.Name;

int Position(ParameterMetadata p) => p.ParameterSets.Values.Select(s => s.Position).Where(x => x >= 0).DefaultIfEmpty(int.MaxValue).Min();

/// <summary>A platyPS-like markdown help page.</summary>
internal sealed class HelpPage
{
    public string Synopsis { get; private set; } = string.Empty;
    public string Description { get; private set; } = string.Empty;
    public string Notes { get; private set; } = string.Empty;
    public List<(string Title, string Code, string Remarks)> Examples { get; } = new();
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> Defaults { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<KeyValuePair<string, string>> Inputs { get; } = new();
    public List<KeyValuePair<string, string>> Outputs { get; } = new();
    public List<(string Text, string Uri)> Links { get; } = new();

    public static HelpPage Parse(string markdown)
    {
        var page = new HelpPage();
        string section = string.Empty;
        string? sub = null;
        var buffer = new List<string>();

        void Flush()
        {
            string text = string.Join("\n", buffer).Trim();
            buffer.Clear();
            switch (section)
            {
                case "SYNOPSIS": page.Synopsis = Prose(text); break;
                case "DESCRIPTION": page.Description = Prose(text); break;
                case "NOTES": page.Notes = Prose(text); break;
                case "EXAMPLES" when sub is not null: page.Examples.Add(Example(sub, text)); break;
                case "PARAMETERS" when sub is not null:
                    string name = sub.TrimStart('-');
                    (string description, string? defaultValue) = Parameter(text);
                    page.Parameters[name] = description;
                    if (defaultValue is not null) page.Defaults[name] = defaultValue;
                    break;
                case "INPUTS" when sub is not null: page.Inputs.Add(new(sub, Prose(text))); break;
                case "OUTPUTS" when sub is not null: page.Outputs.Add(new(sub, Prose(text))); break;
                case "RELATED LINKS":
                    foreach (string line in text.Split('\n').Select(l => l.Trim().TrimStart('-', '*').Trim()).Where(l => l.Length > 0))
                    {
                        int close = line.IndexOf("](", StringComparison.Ordinal);
                        page.Links.Add(line.StartsWith('[') && close > 0
                            ? (line[1..close], line[(close + 2)..].TrimEnd(')'))
                            : (line, string.Empty));
                    }

                    break;
            }
        }

        bool inFence = false;
        foreach (string raw in markdown.Replace("\r", string.Empty).Split('\n'))
        {
            if (raw.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && raw.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = raw[3..].Trim().ToUpperInvariant();
                sub = null;
                continue;
            }

            if (!inFence && raw.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                sub = raw[4..].Trim();
                continue;
            }

            if (!inFence && raw.StartsWith("# ", StringComparison.Ordinal))
            {
                continue;
            }

            buffer.Add(raw);
        }

        Flush();
        return page;
    }

    // Paragraphs separated by blank lines; lines inside a paragraph are joined.
    private static string Prose(string text) => string.Join("\n\n", text.Split("\n\n")
        .Select(p => string.Join(" ", p.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)))
        .Where(p => p.Length > 0));

    private static (string, string, string) Example(string title, string text)
    {
        // The first ```powershell block is the code; everything after it (output blocks, prose) is the remarks.
        int start = text.IndexOf("```", StringComparison.Ordinal);
        if (start < 0)
        {
            return (title, string.Empty, Prose(text));
        }

        int codeStart = text.IndexOf('\n', start) + 1;
        int end = text.IndexOf("```", codeStart, StringComparison.Ordinal);
        string code = text[codeStart..end].TrimEnd();
        string rest = text[(end + 3)..];
        var remarks = new StringBuilder();
        bool fence = false;
        foreach (string line in rest.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fence = !fence;
                remarks.Append("\n\n");
                continue;
            }

            remarks.Append(fence ? line + "\n" : line.Trim().Length == 0 ? "\n\n" : line.Trim() + " ");
        }

        string r = System.Text.RegularExpressions.Regex.Replace(remarks.ToString(), "\n{3,}", "\n\n").Trim();
        // Get-Help numbers the examples itself and shows its own prompt: drop the page's "Example N:" and "PS> ".
        title = System.Text.RegularExpressions.Regex.Replace(title, @"^Example\s+\d+\s*:\s*", string.Empty);
        code = string.Join("\n", code.Split('\n').Select(l => l.StartsWith("PS> ", StringComparison.Ordinal) ? l[4..] : l));
        return (title, code, r);
    }

    // "Default value: X" on its own line sets the default shown by Get-Help.
    private static (string, string?) Parameter(string text)
    {
        string? defaultValue = null;
        var lines = new List<string>();
        foreach (string line in text.Split('\n'))
        {
            if (line.Trim().StartsWith("Default value:", StringComparison.OrdinalIgnoreCase))
            {
                defaultValue = line.Trim()["Default value:".Length..].Trim();
            }
            else
            {
                lines.Add(line);
            }
        }

        return (Prose(string.Join("\n", lines)), defaultValue);
    }
}
