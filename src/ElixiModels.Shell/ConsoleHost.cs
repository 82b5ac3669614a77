using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace ElixiModels.Shell;

/// <summary>A minimal console host: output, colours, progress on one line, and y/n prompts.</summary>
internal sealed class ConsoleHost : PSHost
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly HostUI _ui = new();

    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override Guid InstanceId => _id;
    public override string Name => "ElixiModels.Shell";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(0, 1);
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

    public int ExitCode { get; private set; }

    private sealed class HostUI : PSHostUserInterface
    {
        private readonly Raw _raw = new();
        private bool _progressShown;

        public override PSHostRawUserInterface RawUI => _raw;

        public override bool SupportsVirtualTerminal => !Console.IsOutputRedirected;

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            var result = new Dictionary<string, PSObject>();
            foreach (FieldDescription d in descriptions)
            {
                Console.Write($"{d.Name}: ");
                result[d.Name] = new PSObject(Console.ReadLine() ?? string.Empty);
            }

            return result;
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Console.WriteLine(caption);
            Console.WriteLine(message);
            for (int i = 0; i < choices.Count; i++)
            {
                Console.Write($"[{choices[i].Label.Replace("&", string.Empty)}] ");
            }

            Console.Write($"(default {choices[defaultChoice].Label.Replace("&", string.Empty)}): ");
            string answer = (Console.ReadLine() ?? string.Empty).Trim();
            for (int i = 0; i < choices.Count; i++)
            {
                string label = choices[i].Label;
                int amp = label.IndexOf('&');
                string hot = amp >= 0 && amp + 1 < label.Length ? label[amp + 1].ToString() : label;
                if (answer.Equals(hot, StringComparison.OrdinalIgnoreCase) || answer.Equals(label.Replace("&", string.Empty), StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return defaultChoice;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override string ReadLine() => Console.ReadLine() ?? string.Empty;
        public override SecureString ReadLineAsSecureString() => new();

        public override void Write(string value) { EndProgress(); Console.Write(Plain(value)); }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Colored(foregroundColor, value, false);
        public override void WriteLine(string value) { EndProgress(); Console.WriteLine(Plain(value)); }

        // Redirected output (a file, a pipe, CI logs) gets no ANSI styling.
        private static string Plain(string value) =>
            Console.IsOutputRedirected ? System.Text.RegularExpressions.Regex.Replace(value, "\u001b\\[[0-9;]*m", string.Empty) : value;
        public override void WriteErrorLine(string value) => Colored(ConsoleColor.Red, value, true);
        public override void WriteDebugLine(string message) => Colored(ConsoleColor.DarkYellow, "DEBUG: " + message, true);
        public override void WriteVerboseLine(string message) => Colored(ConsoleColor.DarkYellow, "VERBOSE: " + message, true);
        public override void WriteWarningLine(string message) => Colored(ConsoleColor.Yellow, "WARNING: " + message, true);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            if (Console.IsOutputRedirected)
            {
                return;
            }

            if (record.RecordType == ProgressRecordType.Completed)
            {
                EndProgress();
                return;
            }

            string text = $"{record.Activity}: {record.StatusDescription}" + (record.PercentComplete >= 0 ? $" {record.PercentComplete}%" : string.Empty);
            int width = Math.Max(20, Console.WindowWidth - 1);
            Console.Write("\r" + (text.Length > width ? text[..width] : text.PadRight(width)));
            _progressShown = true;
        }

        private void EndProgress()
        {
            if (_progressShown)
            {
                Console.Write("\r" + new string(' ', Math.Max(20, Console.WindowWidth - 1)) + "\r");
                _progressShown = false;
            }
        }

        private void Colored(ConsoleColor color, string value, bool newLine)
        {
            EndProgress();
            ConsoleColor old = Console.ForegroundColor;
            Console.ForegroundColor = color;
            if (newLine) Console.WriteLine(Plain(value)); else Console.Write(Plain(value));
            Console.ForegroundColor = old;
        }
    }

    private sealed class Raw : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get => Console.BackgroundColor; set => Console.BackgroundColor = value; }
        public override Size BufferSize { get => new(Width, 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override ConsoleColor ForegroundColor { get => Console.ForegroundColor; set => Console.ForegroundColor = value; }
        public override bool KeyAvailable => !Console.IsInputRedirected && Console.KeyAvailable;
        public override Size MaxPhysicalWindowSize => new(Width, 50);
        public override Size MaxWindowSize => new(Width, 50);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new(Width, 50); set { } }
        public override string WindowTitle { get; set; } = "elixi";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }

        private static int Width => Console.IsOutputRedirected ? 160 : Math.Max(80, Console.WindowWidth);
    }
}
