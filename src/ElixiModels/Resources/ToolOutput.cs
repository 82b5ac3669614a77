namespace ElixiModels.Resources;

/// <summary>What a tool printed and how it ended.</summary>
public sealed class ToolOutput
{
    public ToolOutput(int exitCode, string standardOutput, string standardError, bool timedOut)
    {
        ExitCode = exitCode;
        StandardOutput = standardOutput;
        StandardError = standardError;
        TimedOut = timedOut;
    }

    public int ExitCode { get; }
    public string StandardOutput { get; }
    public string StandardError { get; }
    public bool TimedOut { get; }
    public bool Succeeded => !TimedOut && ExitCode == 0;
}
