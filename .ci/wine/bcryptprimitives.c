/* bcryptprimitives.dll for Wine 8, which lacks it: Rust's standard library
 * on Windows draws its random numbers from ProcessPrng, which this DLL
 * implements with RtlGenRandom (advapi32's SystemFunction036). Built by
 * .ci/windows with mingw-w64 and placed beside the executables it runs. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
