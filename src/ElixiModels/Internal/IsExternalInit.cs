namespace System.Runtime.CompilerServices;

// Lets netstandard2.0 use init accessors.
internal static class IsExternalInit
{
}
