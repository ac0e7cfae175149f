using Consilium.Features.Cases;
using Consilium.Features.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Documents;

public enum ResumableUploadStatus
{
    /// <summary>Bytes are arriving; <see cref="ResumableUpload.Offset"/> says how many are kept.</summary>
    Receiving,
    /// <summary>Every byte is in and the document pipeline is running on them (under the PATCH's lock).</summary>
    Completing,
    /// <summary>The pipeline stored the document (or found the same file already on the case).</summary>
    Completed,
    /// <summary>The pipeline refused the file; its bytes were deleted.</summary>
    Rejected,
}

/// <summary>
/// A tus upload in progress (docs/uploads.md). The bytes received so far are encrypted blobs in the document store, one
/// per PATCH (<see cref="UploadSegment"/>); this row says how many there are, who may add to them and until when.
/// Writers take the row's lock with a conditional update (<see cref="LockToken"/>, renewed while bytes stream in), so of
/// two requests for the same upload one appends and the other is refused: bytes are never written twice and the
/// completed file goes through the document pipeline once.
/// </summary>
public sealed class ResumableUpload
{
    ResumableUpload() { }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid MemberId { get; private set; }
    /// <summary>Only the user who created the upload may see or continue it; to anyone else its URL does not exist.</summary>
    public Guid CreatedByUserId { get; private set; }
    public long Length { get; private set; }
    public long Offset { get; private set; }
    /// <summary>Display text, checked as an ordinary upload's name is; it is PHI and never logged or audited.</summary>
    public string? FileName { get; private set; }
    public string? FileType { get; private set; }
    public RecordKind? Kind { get; private set; }
    public Guid? RecordItemId { get; private set; }
    public ResumableUploadStatus Status { get; private set; }
    public Guid? DocumentId { get; private set; }
    public string? RejectionCode { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    /// <summary>Last activity plus <c>Documents:ResumableExpiry</c>; the sweep deletes the upload and its bytes after it.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }
    public Guid? LockToken { get; private set; }
    public DateTimeOffset? LockedAt { get; private set; }

    public bool HasExpired(DateTimeOffset now) => ExpiresAt <= now;

    public static ResumableUpload Create(Guid caseId, Guid memberId, Guid userId, long length, string? fileName, string? fileType,
        RecordKind? kind, Guid? recordItemId, DateTimeOffset now, TimeSpan expiry)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length));
        return new ResumableUpload
        {
            Id = Guid.NewGuid(), CaseId = caseId, MemberId = memberId, CreatedByUserId = userId, Length = length, FileName = fileName,
            FileType = fileType, Kind = kind, RecordItemId = recordItemId, Status = ResumableUploadStatus.Receiving, CreatedAt = now,
            UpdatedAt = now, ExpiresAt = now + expiry,
        };
    }
}

/// <summary>The bytes one PATCH delivered: <see cref="Length"/> plaintext bytes from <see cref="Start"/>, in blob <see cref="BlobId"/>.</summary>
public sealed class UploadSegment
{
    UploadSegment() { }

    public UploadSegment(Guid uploadId, long start, long length, string blobId)
    {
        Id = Guid.NewGuid();
        UploadId = uploadId;
        Start = start;
        Length = length;
        BlobId = blobId;
    }

    public Guid Id { get; private set; }
    public Guid UploadId { get; private set; }
    public long Start { get; private set; }
    public long Length { get; private set; }
    public string BlobId { get; private set; } = "";
}

internal sealed class ResumableUploadConfiguration : IEntityTypeConfiguration<ResumableUpload>
{
    public void Configure(EntityTypeBuilder<ResumableUpload> builder)
    {
        builder.ToTable("ResumableUploads");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.FileName).HasMaxLength(CaseDocument.MaxFileNameLength);
        builder.Property(u => u.FileType).HasMaxLength(100);
        builder.Property(u => u.RejectionCode).HasMaxLength(60);
        builder.HasIndex(u => u.ExpiresAt);
        builder.HasIndex(u => u.CaseId);
        builder.HasOne<Case>().WithMany().HasForeignKey(u => u.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class UploadSegmentConfiguration : IEntityTypeConfiguration<UploadSegment>
{
    public void Configure(EntityTypeBuilder<UploadSegment> builder)
    {
        builder.ToTable("UploadSegments");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.BlobId).HasMaxLength(32);
        // One segment per start offset: a second writer at the same offset loses here even if the lock were lost.
        builder.HasIndex(s => new { s.UploadId, s.Start }).IsUnique();
        builder.HasOne<ResumableUpload>().WithMany().HasForeignKey(s => s.UploadId).OnDelete(DeleteBehavior.Cascade);
    }
}
