namespace Consilium.Dicom;

/// <summary>Value representation. <see cref="None"/> marks items and delimiters, which carry no VR.</summary>
public enum DicomVR : byte
{
    None,
    AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW,
    PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV,
}

internal static class DicomVRInfo
{
    /// <summary>Maps the two VR bytes of an explicit-VR header; false for bytes that name no VR.</summary>
    public static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        vr = (first << 8 | second) switch
        {
            ('A' << 8) | 'E' => DicomVR.AE, ('A' << 8) | 'S' => DicomVR.AS, ('A' << 8) | 'T' => DicomVR.AT,
            ('C' << 8) | 'S' => DicomVR.CS, ('D' << 8) | 'A' => DicomVR.DA, ('D' << 8) | 'S' => DicomVR.DS,
            ('D' << 8) | 'T' => DicomVR.DT, ('F' << 8) | 'D' => DicomVR.FD, ('F' << 8) | 'L' => DicomVR.FL,
            ('I' << 8) | 'S' => DicomVR.IS, ('L' << 8) | 'O' => DicomVR.LO, ('L' << 8) | 'T' => DicomVR.LT,
            ('O' << 8) | 'B' => DicomVR.OB, ('O' << 8) | 'D' => DicomVR.OD, ('O' << 8) | 'F' => DicomVR.OF,
            ('O' << 8) | 'L' => DicomVR.OL, ('O' << 8) | 'V' => DicomVR.OV, ('O' << 8) | 'W' => DicomVR.OW,
            ('P' << 8) | 'N' => DicomVR.PN, ('S' << 8) | 'H' => DicomVR.SH, ('S' << 8) | 'L' => DicomVR.SL,
            ('S' << 8) | 'Q' => DicomVR.SQ, ('S' << 8) | 'S' => DicomVR.SS, ('S' << 8) | 'T' => DicomVR.ST,
            ('S' << 8) | 'V' => DicomVR.SV, ('T' << 8) | 'M' => DicomVR.TM, ('U' << 8) | 'C' => DicomVR.UC,
            ('U' << 8) | 'I' => DicomVR.UI, ('U' << 8) | 'L' => DicomVR.UL, ('U' << 8) | 'N' => DicomVR.UN,
            ('U' << 8) | 'R' => DicomVR.UR, ('U' << 8) | 'S' => DicomVR.US, ('U' << 8) | 'T' => DicomVR.UT,
            ('U' << 8) | 'V' => DicomVR.UV,
            _ => DicomVR.None,
        };
        return vr != DicomVR.None;
    }

    /// <summary>VRs whose explicit header has two reserved bytes and a 32-bit length (PS3.5 7.1.2).</summary>
    public static bool HasLongLength(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF
        or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.SQ or DicomVR.UC or DicomVR.UR
        or DicomVR.UT or DicomVR.UN or DicomVR.SV or DicomVR.UV;

    public static bool IsString(this DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS
        or DicomVR.DA or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT
        or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UI
        or DicomVR.UR or DicomVR.UT;

    /// <summary>Only these VRs may hold characters outside the default repertoire (PS3.5 6.1.2.3).</summary>
    public static bool UsesSpecificCharacterSet(this DicomVR vr) => vr is DicomVR.SH or DicomVR.LO
        or DicomVR.ST or DicomVR.LT or DicomVR.UC or DicomVR.UT or DicomVR.PN;

    /// <summary>Leading spaces are significant only in the free-text VRs (PS3.5 table 6.2-1).</summary>
    public static bool KeepsLeadingSpaces(this DicomVR vr) => vr is DicomVR.ST or DicomVR.LT or DicomVR.UT;

    /// <summary>Bulk binary VRs: arbitrarily large by design, never bounded by the string limit.</summary>
    public static bool IsBulk(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF
        or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN;

    /// <summary>
    /// Implicit VR files carry no VR, so the reader needs the dictionary VR of the few tags it interprets;
    /// everything else is reported as UN, which is what an implicit-VR reader without a dictionary knows.
    /// </summary>
    public static DicomVR ImplicitVR(DicomTag tag)
    {
        if (tag.Element == 0x0000)
            return DicomVR.UL; // group lengths
        return tag.Value switch
        {
            0x00020001 => DicomVR.OB,
            0x00020002 or 0x00020003 or 0x00020010 or 0x00020012 => DicomVR.UI,
            0x00020013 => DicomVR.SH,
            0x00020016 => DicomVR.AE,
            0x00041130 => DicomVR.CS,
            0x00041200 or 0x00041202 or 0x00041400 or 0x00041420 => DicomVR.UL,
            0x00041212 or 0x00041410 => DicomVR.US,
            0x00041220 => DicomVR.SQ,
            0x00041430 or 0x00041500 => DicomVR.CS,
            0x00041510 or 0x00041511 or 0x00041512 => DicomVR.UI,
            0x00080005 or 0x00080008 or 0x00080060 => DicomVR.CS,
            0x00080012 or 0x00080020 or 0x00080021 or 0x00080022 or 0x00080023 => DicomVR.DA,
            0x00080013 or 0x00080030 or 0x00080031 or 0x00080032 or 0x00080033 => DicomVR.TM,
            0x00080014 or 0x00080016 or 0x00080018 => DicomVR.UI,
            0x00080050 => DicomVR.SH,
            0x00080070 or 0x00080080 or 0x00081030 or 0x0008103E or 0x00081090 => DicomVR.LO,
            0x00080090 or 0x00081050 or 0x00081060 or 0x00081070 => DicomVR.PN,
            0x00081010 => DicomVR.SH,
            0x00081110 or 0x00081111 or 0x00081115 or 0x00081140 or 0x00081199 or 0x00082112 => DicomVR.SQ,
            0x00081150 or 0x00081155 => DicomVR.UI,
            0x00100010 => DicomVR.PN,
            0x00100020 => DicomVR.LO,
            0x00100030 => DicomVR.DA,
            0x00100040 => DicomVR.CS,
            0x00101010 => DicomVR.AS,
            0x00180015 => DicomVR.CS,
            0x00181030 => DicomVR.LO,
            0x0020000D or 0x0020000E or 0x00200052 => DicomVR.UI,
            0x00200010 => DicomVR.SH,
            0x00200011 or 0x00200012 or 0x00200013 => DicomVR.IS,
            0x00280002 or 0x00280010 or 0x00280011 or 0x00280100 or 0x00280101 or 0x00280102 or 0x00280103 => DicomVR.US,
            0x00280004 => DicomVR.CS,
            0x00280008 => DicomVR.IS,
            0x00400275 or 0x0040A730 or 0x0040A043 or 0x0040A168 or 0x00880200 => DicomVR.SQ,
            0x7FE00010 => DicomVR.OW,
            _ => DicomVR.UN,
        };
    }
}
