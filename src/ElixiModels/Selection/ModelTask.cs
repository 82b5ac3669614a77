namespace ElixiModels.Selection;

/// <summary>The tasks models are classified for and selected by.</summary>
public enum ModelTask
{
    /// <summary>Everyday chat and questions.</summary>
    General,
    /// <summary>Writing, completing and explaining code.</summary>
    Coding,
    /// <summary>Reasoning, math, long documents.</summary>
    Analysis,
    /// <summary>Stories, prose, brainstorming.</summary>
    Creative,
    /// <summary>Quick answers on modest hardware: small models.</summary>
    Fast,
    /// <summary>Understands images.</summary>
    Vision,
    /// <summary>Produces embeddings for search and RAG.</summary>
    Embedding,
    /// <summary>Calls tools / functions.</summary>
    Tools,
}
