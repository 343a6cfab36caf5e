using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace GitMesh.Hosting;

/// <summary>Encrypts secrets at rest (provider tokens, webhook secrets) with Data Protection keys.</summary>
public interface ISecretProtector
{
    string Protect(string plaintext);

    /// <summary>Throws <see cref="System.Security.Cryptography.CryptographicException"/> when the payload was not produced by our keys.</summary>
    string Unprotect(string protectedText);

    string ProtectValues(IReadOnlyDictionary<string, string> values) => Protect(JsonSerializer.Serialize(values));

    IReadOnlyDictionary<string, string> UnprotectValues(string? protectedText) =>
        string.IsNullOrEmpty(protectedText)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(Unprotect(protectedText)) ?? [];
}

internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    // Versioned purpose: a future change of what we store gets a new purpose instead of reinterpreting old blobs.
    private readonly IDataProtector _protector = provider.CreateProtector("GitMesh.Secrets.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
