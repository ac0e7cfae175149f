using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Consilium.Infrastructure.Storage;

/// <summary>
/// Encrypts the ASP.NET data-protection key ring (which protects sign-in cookies and antiforgery tokens) with the
/// documents' master key before it is written to the database, so a database dump alone cannot forge a session.
/// AES-256-GCM under a key derived from the master key for this one purpose.
/// </summary>
internal sealed class MasterKeyXmlEncryptor(MasterKeyRing keys) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var key = keys.Active;
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var tag = new byte[16];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(MasterKeyXmlDecryptor.Derive(key.Material), 16))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(key.Id));
        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement("consiliumEncryptedKey",
            new XAttribute("masterKeyId", key.Id),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Created by the data-protection system through its (IServiceProvider) constructor.</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var ring = services.GetRequiredService<MasterKeyRing>();
        var id = (string?)encryptedElement.Attribute("masterKeyId") ?? throw new CryptographicException("The encrypted data-protection key names no master key.");
        if (!ring.TryGet(id, out var key))
            throw new CryptographicException($"The data-protection key was encrypted with master key '{id}', which is not configured.");
        var nonce = Convert.FromBase64String((string?)encryptedElement.Element("nonce") ?? "");
        var tag = Convert.FromBase64String((string?)encryptedElement.Element("tag") ?? "");
        var ciphertext = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(Derive(key.Material), 16))
            aes.Decrypt(nonce, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(id));
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>A separate key per purpose: the master key itself only ever wraps document keys.</summary>
    internal static byte[] Derive(byte[] master) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: Encoding.ASCII.GetBytes("consilium/data-protection-keys/v1"));
}

internal static class DataProtectionKeyEncryption
{
    public static IServiceCollection EncryptDataProtectionKeysWithMasterKey(this IServiceCollection services)
    {
        services.AddOptions<KeyManagementOptions>().Configure<MasterKeyRing>((options, ring) => options.XmlEncryptor = new MasterKeyXmlEncryptor(ring));
        return services;
    }
}
