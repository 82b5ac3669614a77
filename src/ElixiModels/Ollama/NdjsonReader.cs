using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Ollama;

/// <summary>
/// Reads the lines of an NDJSON stream with a cancellation token on every read. StreamReader.ReadLineAsync takes no
/// token on netstandard2.0, and disposing the response instead makes .NET drain the rest of a slow stream for up to
/// two seconds before the pending read returns; a cancelled read aborts the connection at once.
/// </summary>
internal sealed class NdjsonReader : IDisposable
{
    /// <summary>Longest line accepted: Ollama's lines are under a few KB; a line longer than this is not Ollama's.</summary>
    public const int DefaultMaxLineBytes = 4 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;

    public NdjsonReader(Stream stream, int maxLineBytes = DefaultMaxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>The next line without its end (\n or \r\n), or null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">A line is longer than the limit; nothing more is buffered.</exception>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_start == _end)
            {
                ct.ThrowIfCancellationRequested();
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, 0, _buffer.Length, ct).ConfigureAwait(false);
                if (_end == 0)
                {
                    return _line.Length > 0 ? TakeLine() : null;
                }
            }

            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if ((newline < 0 ? _end : newline) - _start + _line.Length > _maxLineBytes)
            {
                throw new InvalidDataException($"a line of the stream is longer than {_maxLineBytes / (1024 * 1024)} MB");
            }

            if (newline < 0)
            {
                _line.Write(_buffer, _start, _end - _start);
                _start = _end;
                continue;
            }

            _line.Write(_buffer, _start, newline - _start);
            _start = newline + 1;
            return TakeLine();
        }
    }

    private string TakeLine()
    {
        int length = (int)_line.Length;
        byte[] bytes = _line.GetBuffer();
        if (length > 0 && bytes[length - 1] == (byte)'\r')
        {
            length--;
        }

        string text = Encoding.UTF8.GetString(bytes, 0, length);
        _line.SetLength(0);
        return text;
    }

    /// <summary>Frees the line buffer; the stream is the caller's.</summary>
    public void Dispose() => _line.Dispose();
}
