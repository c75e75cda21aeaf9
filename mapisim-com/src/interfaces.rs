//! The MAPI interfaces a message-store provider implements or calls, declared as COM interfaces
//! with `windows_core`'s `#[interface]` macro.
//!
//! Each declaration gives the IID and every method in vtable order, with the parameters of the
//! MAPI headers (`MAPIDefS.h`, `MAPISPI.h`, `MAPIX.h`; `objidl.h` for `IMalloc`) as raw C types
//! (see [`crate::types`]). For an interface `IFoo` the macro makes:
//!
//! - `IFoo`, a counted interface pointer (`#[repr(transparent)]` over its base, down to
//!   [`IUnknown`]), with `windows_core::Interface::IID`;
//! - `IFoo_Vtbl`, the `#[repr(C)]` vtable: the base's vtable as its first field `base__`, then one
//!   `unsafe extern "system" fn(this, …)` field per method, named as in MAPI;
//! - `IFoo_Impl`, the trait a Rust object implements to be exposed as `IFoo` through
//!   `#[windows_core::implement]` (it requires the base's `_Impl` trait);
//! - inherent methods on `IFoo` that call through the vtable. They are crate-private: the
//!   layers to come wrap them in safe calls.
//!
//! Slot numbers in the method documentation count from 0 and include `IUnknown`'s three. Every
//! method returns an `HRESULT` except `IMalloc`'s (OLE's allocator),
//! `IMSCapabilities::GetCapabilities` and `IMAPIAdviseSink::OnNotify`, which return a `ULONG`.
//! The `#[interface]` macro writes the `IFoo_Impl` traits without documentation, so the module
//! allows `missing_docs`; every interface and method declared here is documented, and a test
//! checks it.
#![allow(non_snake_case)]
// The parameter lists are MAPI's.
#![allow(clippy::too_many_arguments)]

use core::ffi::c_void;

use windows_core::{GUID, HRESULT, IUnknown};

use crate::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use crate::types::{
    ADRLIST, ADRPARM, ENTRYID, ENTRYLIST, LPFNBUTTON, LPFNDISMISS, LPTSTR, MAPIERROR, MAPINAMEID, MAPIUID,
    MSCAP_SELECTOR, NOTIFICATION, NOTIFKEY, SPropProblemArray, SPropTagArray, SPropValue, SRestriction,
    SRowSet, SSortOrderSet,
};

/// `IMAPIProp` (`LPMAPIPROP`), IID `{00020303-0000-0000-C000-000000000046}`: an object with
/// properties. The base of `IMsgStore`, `IMAPIStatus`, `IMessage` and `IProfSect`; 14 slots.
#[windows_core::interface("00020303-0000-0000-C000-000000000046")]
pub unsafe trait IMAPIProp: IUnknown {
    /// Slot 3: `GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError)`.
    pub(crate) fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT;
    /// Slot 4: `SaveChanges(ULONG ulFlags)`.
    pub(crate) fn SaveChanges(&self, ulFlags: u32) -> HRESULT;
    /// Slot 5: `GetProps(LPSPropTagArray lpPropTagArray, ULONG ulFlags, ULONG* lpcValues,
    /// LPSPropValue* lppPropArray)`.
    pub(crate) fn GetProps(
        &self,
        lpPropTagArray: *mut SPropTagArray,
        ulFlags: u32,
        lpcValues: *mut u32,
        lppPropArray: *mut *mut SPropValue,
    ) -> HRESULT;
    /// Slot 6: `GetPropList(ULONG ulFlags, LPSPropTagArray* lppPropTagArray)`.
    pub(crate) fn GetPropList(&self, ulFlags: u32, lppPropTagArray: *mut *mut SPropTagArray) -> HRESULT;
    /// Slot 7: `OpenProperty(ULONG ulPropTag, LPCIID lpiid, ULONG ulInterfaceOptions, ULONG
    /// ulFlags, LPUNKNOWN* lppUnk)`.
    pub(crate) fn OpenProperty(
        &self,
        ulPropTag: u32,
        lpiid: *const GUID,
        ulInterfaceOptions: u32,
        ulFlags: u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 8: `SetProps(ULONG cValues, LPSPropValue lpPropArray, LPSPropProblemArray*
    /// lppProblems)`.
    pub(crate) fn SetProps(
        &self,
        cValues: u32,
        lpPropArray: *mut SPropValue,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT;
    /// Slot 9: `DeleteProps(LPSPropTagArray lpPropTagArray, LPSPropProblemArray* lppProblems)`.
    pub(crate) fn DeleteProps(
        &self,
        lpPropTagArray: *mut SPropTagArray,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT;
    /// Slot 10: `CopyTo(ULONG ciidExclude, LPCIID rgiidExclude, LPSPropTagArray lpExcludeProps,
    /// ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress, LPCIID lpInterface, LPVOID lpDestObj,
    /// ULONG ulFlags, LPSPropProblemArray* lppProblems)`.
    pub(crate) fn CopyTo(
        &self,
        ciidExclude: u32,
        rgiidExclude: *const GUID,
        lpExcludeProps: *mut SPropTagArray,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        lpInterface: *const GUID,
        lpDestObj: *mut c_void,
        ulFlags: u32,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT;
    /// Slot 11: `CopyProps(LPSPropTagArray lpIncludeProps, ULONG_PTR ulUIParam, LPMAPIPROGRESS
    /// lpProgress, LPCIID lpInterface, LPVOID lpDestObj, ULONG ulFlags, LPSPropProblemArray*
    /// lppProblems)`.
    pub(crate) fn CopyProps(
        &self,
        lpIncludeProps: *mut SPropTagArray,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        lpInterface: *const GUID,
        lpDestObj: *mut c_void,
        ulFlags: u32,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT;
    /// Slot 12: `GetNamesFromIDs(LPSPropTagArray* lppPropTags, LPGUID lpPropSetGuid, ULONG
    /// ulFlags, ULONG* lpcPropNames, LPMAPINAMEID** lpppPropNames)`.
    pub(crate) fn GetNamesFromIDs(
        &self,
        lppPropTags: *mut *mut SPropTagArray,
        lpPropSetGuid: *mut GUID,
        ulFlags: u32,
        lpcPropNames: *mut u32,
        lpppPropNames: *mut *mut *mut MAPINAMEID,
    ) -> HRESULT;
    /// Slot 13: `GetIDsFromNames(ULONG cPropNames, LPMAPINAMEID* lppPropNames, ULONG ulFlags,
    /// LPSPropTagArray* lppPropTags)`.
    pub(crate) fn GetIDsFromNames(
        &self,
        cPropNames: u32,
        lppPropNames: *mut *mut MAPINAMEID,
        ulFlags: u32,
        lppPropTags: *mut *mut SPropTagArray,
    ) -> HRESULT;
}

/// `IMsgStore` (`LPMDB`), IID `{00020306-0000-0000-C000-000000000046}`: a message store, as its
/// provider exposes it. Derives from `IMAPIProp`; 13 slots of its own, 27 in all.
#[windows_core::interface("00020306-0000-0000-C000-000000000046")]
pub unsafe trait IMsgStore: IMAPIProp {
    /// Slot 14: `Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
    /// LPMAPIADVISESINK lpAdviseSink, ULONG_PTR* lpulConnection)`.
    pub(crate) fn Advise(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulEventMask: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT;
    /// Slot 15: `Unadvise(ULONG_PTR ulConnection)`.
    pub(crate) fn Unadvise(&self, ulConnection: usize) -> HRESULT;
    /// Slot 16: `CompareEntryIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
    /// LPENTRYID lpEntryID2, ULONG ulFlags, ULONG* lpulResult)`.
    pub(crate) fn CompareEntryIDs(
        &self,
        cbEntryID1: u32,
        lpEntryID1: *mut ENTRYID,
        cbEntryID2: u32,
        lpEntryID2: *mut ENTRYID,
        ulFlags: u32,
        lpulResult: *mut u32,
    ) -> HRESULT;
    /// Slot 17: `OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface, ULONG
    /// ulFlags, ULONG* lpulObjType, LPUNKNOWN* lppUnk)`.
    pub(crate) fn OpenEntry(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulObjType: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 18: `SetReceiveFolder(LPTSTR lpszMessageClass, ULONG ulFlags, ULONG cbEntryID,
    /// LPENTRYID lpEntryID)`.
    pub(crate) fn SetReceiveFolder(
        &self,
        lpszMessageClass: LPTSTR,
        ulFlags: u32,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
    ) -> HRESULT;
    /// Slot 19: `GetReceiveFolder(LPTSTR lpszMessageClass, ULONG ulFlags, ULONG* lpcbEntryID,
    /// LPENTRYID* lppEntryID, LPTSTR* lppszExplicitClass)`.
    pub(crate) fn GetReceiveFolder(
        &self,
        lpszMessageClass: LPTSTR,
        ulFlags: u32,
        lpcbEntryID: *mut u32,
        lppEntryID: *mut *mut ENTRYID,
        lppszExplicitClass: *mut LPTSTR,
    ) -> HRESULT;
    /// Slot 20: `GetReceiveFolderTable(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetReceiveFolderTable(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 21: `StoreLogoff(ULONG* lpulFlags)`, the flags in and out.
    pub(crate) fn StoreLogoff(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 22: `AbortSubmit(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags)`.
    pub(crate) fn AbortSubmit(&self, cbEntryID: u32, lpEntryID: *mut ENTRYID, ulFlags: u32) -> HRESULT;
    /// Slot 23: `GetOutgoingQueue(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetOutgoingQueue(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 24: `SetLockState(LPMESSAGE lpMessage, ULONG ulLockState)`.
    pub(crate) fn SetLockState(&self, lpMessage: *mut c_void, ulLockState: u32) -> HRESULT;
    /// Slot 25: `FinishedMsg(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID)`.
    pub(crate) fn FinishedMsg(&self, ulFlags: u32, cbEntryID: u32, lpEntryID: *mut ENTRYID) -> HRESULT;
    /// Slot 26: `NotifyNewMail(LPNOTIFICATION lpNotification)`.
    pub(crate) fn NotifyNewMail(&self, lpNotification: *mut NOTIFICATION) -> HRESULT;
}

/// `IMSLogon` (`LPMSLOGON`), IID `{00020313-0000-0000-C000-000000000046}`: a store logon, called
/// only by MAPI, one to one with its `IMsgStore`. 10 slots.
#[windows_core::interface("00020313-0000-0000-C000-000000000046")]
pub unsafe trait IMSLogon: IUnknown {
    /// Slot 3: `GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError)`.
    pub(crate) fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT;
    /// Slot 4: `Logoff(ULONG* lpulFlags)`, reserved, pointing to 0.
    pub(crate) fn Logoff(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 5: `OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface, ULONG
    /// ulFlags, ULONG* lpulObjType, LPUNKNOWN* lppUnk)`.
    pub(crate) fn OpenEntry(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulObjType: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 6: `CompareEntryIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
    /// LPENTRYID lpEntryID2, ULONG ulFlags, ULONG* lpulResult)`.
    pub(crate) fn CompareEntryIDs(
        &self,
        cbEntryID1: u32,
        lpEntryID1: *mut ENTRYID,
        cbEntryID2: u32,
        lpEntryID2: *mut ENTRYID,
        ulFlags: u32,
        lpulResult: *mut u32,
    ) -> HRESULT;
    /// Slot 7: `Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
    /// LPMAPIADVISESINK lpAdviseSink, ULONG_PTR* lpulConnection)`.
    pub(crate) fn Advise(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulEventMask: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT;
    /// Slot 8: `Unadvise(ULONG_PTR ulConnection)`.
    pub(crate) fn Unadvise(&self, ulConnection: usize) -> HRESULT;
    /// Slot 9: `OpenStatusEntry(LPCIID lpInterface, ULONG ulFlags, ULONG* lpulObjType, LPVOID*
    /// lppEntry)`.
    pub(crate) fn OpenStatusEntry(
        &self,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulObjType: *mut u32,
        lppEntry: *mut *mut c_void,
    ) -> HRESULT;
}

/// `IMSProvider` (`LPMSPROVIDER`), IID `{00020310-0000-0000-C000-000000000046}`: the object
/// `MSProviderInit` returns, called by MAPI and the spooler. 7 slots.
#[windows_core::interface("00020310-0000-0000-C000-000000000046")]
pub unsafe trait IMSProvider: IUnknown {
    /// Slot 3: `Shutdown(ULONG* lpulFlags)`, reserved, pointing to 0.
    pub(crate) fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 4: `Logon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam, LPTSTR lpszProfileName, ULONG
    /// cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags, LPCIID lpInterface, ULONG*
    /// lpcbSpoolSecurity, LPBYTE* lppbSpoolSecurity, LPMAPIERROR* lppMAPIError, LPMSLOGON*
    /// lppMSLogon, LPMDB* lppMDB)`.
    pub(crate) fn Logon(
        &self,
        lpMAPISup: *mut c_void,
        ulUIParam: usize,
        lpszProfileName: LPTSTR,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulFlags: u32,
        lpInterface: *const GUID,
        lpcbSpoolSecurity: *mut u32,
        lppbSpoolSecurity: *mut *mut u8,
        lppMAPIError: *mut *mut MAPIERROR,
        lppMSLogon: *mut *mut c_void,
        lppMDB: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 5: `SpoolerLogon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam, LPTSTR lpszProfileName,
    /// ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags, LPCIID lpInterface, ULONG
    /// cbSpoolSecurity, LPBYTE lpbSpoolSecurity, LPMAPIERROR* lppMAPIError, LPMSLOGON*
    /// lppMSLogon, LPMDB* lppMDB)`: the security blob `Logon` returned, now given in.
    pub(crate) fn SpoolerLogon(
        &self,
        lpMAPISup: *mut c_void,
        ulUIParam: usize,
        lpszProfileName: LPTSTR,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulFlags: u32,
        lpInterface: *const GUID,
        cbSpoolSecurity: u32,
        lpbSpoolSecurity: *mut u8,
        lppMAPIError: *mut *mut MAPIERROR,
        lppMSLogon: *mut *mut c_void,
        lppMDB: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 6: `CompareStoreIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
    /// LPENTRYID lpEntryID2, ULONG ulFlags, ULONG* lpulResult)`, both IDs unwrapped.
    pub(crate) fn CompareStoreIDs(
        &self,
        cbEntryID1: u32,
        lpEntryID1: *mut ENTRYID,
        cbEntryID2: u32,
        lpEntryID2: *mut ENTRYID,
        ulFlags: u32,
        lpulResult: *mut u32,
    ) -> HRESULT;
}

/// `IABProvider` (`LPABPROVIDER`), IID `{00020311-0000-0000-C000-000000000046}`: the object
/// `ABProviderInit` returns. 5 slots, `Shutdown` before `Logon` as in the header.
#[windows_core::interface("00020311-0000-0000-C000-000000000046")]
pub unsafe trait IABProvider: IUnknown {
    /// Slot 3: `Shutdown(ULONG* lpulFlags)`, reserved, pointing to 0.
    pub(crate) fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 4: `Logon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam, LPTSTR lpszProfileName, ULONG
    /// ulFlags, ULONG* lpulpcbSecurity, LPBYTE* lppbSecurity, LPMAPIERROR* lppMAPIError,
    /// LPABLOGON* lppABLogon)`: both security parameters nonzero on input, zero on output.
    pub(crate) fn Logon(
        &self,
        lpMAPISup: *mut c_void,
        ulUIParam: usize,
        lpszProfileName: LPTSTR,
        ulFlags: u32,
        lpulpcbSecurity: *mut u32,
        lppbSecurity: *mut *mut u8,
        lppMAPIError: *mut *mut MAPIERROR,
        lppABLogon: *mut *mut c_void,
    ) -> HRESULT;
}

/// `IABLogon` (`LPABLOGON`), IID `{00020314-0000-0000-C000-000000000046}`: an address-book
/// provider's logon, called only by MAPI. 13 slots.
#[windows_core::interface("00020314-0000-0000-C000-000000000046")]
pub unsafe trait IABLogon: IUnknown {
    /// Slot 3: `GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError)`.
    pub(crate) fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT;
    /// Slot 4: `Logoff(ULONG ulFlags)`, reserved 0, by value (unlike `IMSLogon::Logoff`).
    pub(crate) fn Logoff(&self, ulFlags: u32) -> HRESULT;
    /// Slot 5: `OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface, ULONG
    /// ulFlags, ULONG* lpulObjType, LPUNKNOWN* lppUnk)`.
    pub(crate) fn OpenEntry(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulObjType: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 6: `CompareEntryIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
    /// LPENTRYID lpEntryID2, ULONG ulFlags, ULONG* lpulResult)`.
    pub(crate) fn CompareEntryIDs(
        &self,
        cbEntryID1: u32,
        lpEntryID1: *mut ENTRYID,
        cbEntryID2: u32,
        lpEntryID2: *mut ENTRYID,
        ulFlags: u32,
        lpulResult: *mut u32,
    ) -> HRESULT;
    /// Slot 7: `Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
    /// LPMAPIADVISESINK lpAdviseSink, ULONG_PTR* lpulConnection)`.
    pub(crate) fn Advise(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulEventMask: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT;
    /// Slot 8: `Unadvise(ULONG_PTR ulConnection)`.
    pub(crate) fn Unadvise(&self, ulConnection: usize) -> HRESULT;
    /// Slot 9: `OpenStatusEntry(LPCIID lpInterface, ULONG ulFlags, ULONG* lpulObjType,
    /// LPMAPISTATUS* lppEntry)`.
    pub(crate) fn OpenStatusEntry(
        &self,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulObjType: *mut u32,
        lppEntry: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 10: `OpenTemplateID(ULONG cbTemplateID, LPENTRYID lpTemplateID, ULONG
    /// ulTemplateFlags, LPMAPIPROP lpMAPIPropData, LPCIID lpInterface, LPMAPIPROP*
    /// lppMAPIPropNew, LPMAPIPROP lpMAPIPropSibling)`.
    pub(crate) fn OpenTemplateID(
        &self,
        cbTemplateID: u32,
        lpTemplateID: *mut ENTRYID,
        ulTemplateFlags: u32,
        lpMAPIPropData: *mut c_void,
        lpInterface: *const GUID,
        lppMAPIPropNew: *mut *mut c_void,
        lpMAPIPropSibling: *mut c_void,
    ) -> HRESULT;
    /// Slot 11: `GetOneOffTable(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetOneOffTable(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 12: `PrepareRecips(ULONG ulFlags, LPSPropTagArray lpPropTagArray, LPADRLIST
    /// lpRecipList)`.
    pub(crate) fn PrepareRecips(
        &self,
        ulFlags: u32,
        lpPropTagArray: *mut SPropTagArray,
        lpRecipList: *mut ADRLIST,
    ) -> HRESULT;
}

/// `IXPProvider` (`LPXPPROVIDER`), IID `{00020312-0000-0000-C000-000000000046}`: the object
/// `XPProviderInit` returns, called by the spooler. 5 slots.
#[windows_core::interface("00020312-0000-0000-C000-000000000046")]
pub unsafe trait IXPProvider: IUnknown {
    /// Slot 3: `Shutdown(ULONG* lpulFlags)`, reserved, pointing to 0.
    pub(crate) fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 4: `TransportLogon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam, LPTSTR
    /// lpszProfileName, ULONG* lpulFlags, LPMAPIERROR* lppMAPIError, LPXPLOGON* lppXPLogon)`:
    /// the flags go both ways.
    pub(crate) fn TransportLogon(
        &self,
        lpMAPISup: *mut c_void,
        ulUIParam: usize,
        lpszProfileName: LPTSTR,
        lpulFlags: *mut u32,
        lppMAPIError: *mut *mut MAPIERROR,
        lppXPLogon: *mut *mut c_void,
    ) -> HRESULT;
}

/// `IXPLogon` (`LPXPLOGON`), IID `{00020315-0000-0000-C000-000000000046}`: a transport logon,
/// called by the spooler. 15 slots.
#[windows_core::interface("00020315-0000-0000-C000-000000000046")]
pub unsafe trait IXPLogon: IUnknown {
    /// Slot 3: `AddressTypes(ULONG* lpulFlags, ULONG* lpcAdrType, LPTSTR** lpppAdrTypeArray,
    /// ULONG* lpcMAPIUID, LPMAPIUID** lpppUIDArray)`: the arrays stay valid until the final
    /// `TransportLogoff`.
    pub(crate) fn AddressTypes(
        &self,
        lpulFlags: *mut u32,
        lpcAdrType: *mut u32,
        lpppAdrTypeArray: *mut *mut LPTSTR,
        lpcMAPIUID: *mut u32,
        lpppUIDArray: *mut *mut *mut MAPIUID,
    ) -> HRESULT;
    /// Slot 4: `RegisterOptions(ULONG* lpulFlags, ULONG* lpcOptions, LPOPTIONDATA* lppOptions)`.
    pub(crate) fn RegisterOptions(
        &self,
        lpulFlags: *mut u32,
        lpcOptions: *mut u32,
        lppOptions: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 5: `TransportNotify(ULONG* lpulFlags, LPVOID* lppvData)`.
    pub(crate) fn TransportNotify(&self, lpulFlags: *mut u32, lppvData: *mut *mut c_void) -> HRESULT;
    /// Slot 6: `Idle(ULONG ulFlags)`.
    pub(crate) fn Idle(&self, ulFlags: u32) -> HRESULT;
    /// Slot 7: `TransportLogoff(ULONG ulFlags)`: whatever it returns, the logon is logged off.
    pub(crate) fn TransportLogoff(&self, ulFlags: u32) -> HRESULT;
    /// Slot 8: `SubmitMessage(ULONG ulFlags, LPMESSAGE lpMessage, ULONG_PTR* lpulMsgRef,
    /// ULONG_PTR* lpulReturnParm)`.
    pub(crate) fn SubmitMessage(
        &self,
        ulFlags: u32,
        lpMessage: *mut c_void,
        lpulMsgRef: *mut usize,
        lpulReturnParm: *mut usize,
    ) -> HRESULT;
    /// Slot 9: `EndMessage(ULONG_PTR ulMsgRef, ULONG* lpulFlags)`.
    pub(crate) fn EndMessage(&self, ulMsgRef: usize, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 10: `Poll(ULONG* lpulIncoming)`.
    pub(crate) fn Poll(&self, lpulIncoming: *mut u32) -> HRESULT;
    /// Slot 11: `StartMessage(ULONG ulFlags, LPMESSAGE lpMessage, ULONG_PTR* lpulMsgRef)`.
    pub(crate) fn StartMessage(
        &self,
        ulFlags: u32,
        lpMessage: *mut c_void,
        lpulMsgRef: *mut usize,
    ) -> HRESULT;
    /// Slot 12: `OpenStatusEntry(LPCIID lpInterface, ULONG ulFlags, ULONG* lpulObjType,
    /// LPMAPISTATUS* lppEntry)`.
    pub(crate) fn OpenStatusEntry(
        &self,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulObjType: *mut u32,
        lppEntry: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 13: `ValidateState(ULONG_PTR ulUIParam, ULONG ulFlags)`.
    pub(crate) fn ValidateState(&self, ulUIParam: usize, ulFlags: u32) -> HRESULT;
    /// Slot 14: `FlushQueues(ULONG_PTR ulUIParam, ULONG cbTargetTransport, LPENTRYID
    /// lpTargetTransport, ULONG ulFlags)`.
    pub(crate) fn FlushQueues(
        &self,
        ulUIParam: usize,
        cbTargetTransport: u32,
        lpTargetTransport: *mut ENTRYID,
        ulFlags: u32,
    ) -> HRESULT;
}

/// `IMAPISupport` (`LPMAPISUP`), IID `IID_IMAPISup`, `{0002030F-0000-0000-C000-000000000046}`:
/// MAPI's support object, implemented by MAPI for each provider (a method that does not apply to
/// the provider's kind returns `MAPI_E_NO_SUPPORT`). 41 slots of its own, 44 in all.
#[windows_core::interface("0002030F-0000-0000-C000-000000000046")]
pub unsafe trait IMAPISupport: IUnknown {
    /// Slot 3: `GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError)`.
    pub(crate) fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT;
    /// Slot 4: `GetMemAllocRoutines(LPALLOCATEBUFFER* lpAllocateBuffer, LPALLOCATEMORE*
    /// lpAllocateMore, LPFREEBUFFER* lpFreeBuffer)`.
    pub(crate) fn GetMemAllocRoutines(
        &self,
        lpAllocateBuffer: *mut Option<LPALLOCATEBUFFER>,
        lpAllocateMore: *mut Option<LPALLOCATEMORE>,
        lpFreeBuffer: *mut Option<LPFREEBUFFER>,
    ) -> HRESULT;
    /// Slot 5: `Subscribe(LPNOTIFKEY lpKey, ULONG ulEventMask, ULONG ulFlags, LPMAPIADVISESINK
    /// lpAdviseSink, ULONG_PTR* lpulConnection)`.
    pub(crate) fn Subscribe(
        &self,
        lpKey: *mut NOTIFKEY,
        ulEventMask: u32,
        ulFlags: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT;
    /// Slot 6: `Unsubscribe(ULONG_PTR ulConnection)`.
    pub(crate) fn Unsubscribe(&self, ulConnection: usize) -> HRESULT;
    /// Slot 7: `Notify(LPNOTIFKEY lpKey, ULONG cNotification, LPNOTIFICATION lpNotifications,
    /// ULONG* lpulFlags)`.
    pub(crate) fn Notify(
        &self,
        lpKey: *mut NOTIFKEY,
        cNotification: u32,
        lpNotifications: *mut NOTIFICATION,
        lpulFlags: *mut u32,
    ) -> HRESULT;
    /// Slot 8: `ModifyStatusRow(ULONG cValues, LPSPropValue lpColumnVals, ULONG ulFlags)`.
    pub(crate) fn ModifyStatusRow(
        &self,
        cValues: u32,
        lpColumnVals: *mut SPropValue,
        ulFlags: u32,
    ) -> HRESULT;
    /// Slot 9: `OpenProfileSection(LPMAPIUID lpUid, ULONG ulFlags, LPPROFSECT* lppProfileObj)`.
    pub(crate) fn OpenProfileSection(
        &self,
        lpUid: *mut MAPIUID,
        ulFlags: u32,
        lppProfileObj: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 10: `RegisterPreprocessor(LPMAPIUID lpMuid, LPTSTR lpszAdrType, LPTSTR lpszDLLName,
    /// LPSTR lpszPreprocess, LPSTR lpszRemovePreprocessInfo, ULONG ulFlags)`; the two `LPSTR`s
    /// are 8-bit export names.
    pub(crate) fn RegisterPreprocessor(
        &self,
        lpMuid: *mut MAPIUID,
        lpszAdrType: LPTSTR,
        lpszDLLName: LPTSTR,
        lpszPreprocess: *mut u8,
        lpszRemovePreprocessInfo: *mut u8,
        ulFlags: u32,
    ) -> HRESULT;
    /// Slot 11: `NewUID(LPMAPIUID lpMuid)`.
    pub(crate) fn NewUID(&self, lpMuid: *mut MAPIUID) -> HRESULT;
    /// Slot 12: `MakeInvalid(ULONG ulFlags, LPVOID lpObject, ULONG ulRefCount, ULONG cMethods)`.
    pub(crate) fn MakeInvalid(
        &self,
        ulFlags: u32,
        lpObject: *mut c_void,
        ulRefCount: u32,
        cMethods: u32,
    ) -> HRESULT;
    /// Slot 13: `SpoolerYield(ULONG ulFlags)`.
    pub(crate) fn SpoolerYield(&self, ulFlags: u32) -> HRESULT;
    /// Slot 14: `SpoolerNotify(ULONG ulFlags, LPVOID lpvData)`.
    pub(crate) fn SpoolerNotify(&self, ulFlags: u32, lpvData: *mut c_void) -> HRESULT;
    /// Slot 15: `CreateOneOff(LPTSTR lpszName, LPTSTR lpszAdrType, LPTSTR lpszAddress, ULONG
    /// ulFlags, ULONG* lpcbEntryID, LPENTRYID* lppEntryID)`.
    pub(crate) fn CreateOneOff(
        &self,
        lpszName: LPTSTR,
        lpszAdrType: LPTSTR,
        lpszAddress: LPTSTR,
        ulFlags: u32,
        lpcbEntryID: *mut u32,
        lppEntryID: *mut *mut ENTRYID,
    ) -> HRESULT;
    /// Slot 16: `SetProviderUID(LPMAPIUID lpProviderID, ULONG ulFlags)`.
    pub(crate) fn SetProviderUID(&self, lpProviderID: *mut MAPIUID, ulFlags: u32) -> HRESULT;
    /// Slot 17: `CompareEntryIDs(ULONG cbEntry1, LPENTRYID lpEntry1, ULONG cbEntry2, LPENTRYID
    /// lpEntry2, ULONG ulCompareFlags, ULONG* lpulResult)`.
    pub(crate) fn CompareEntryIDs(
        &self,
        cbEntry1: u32,
        lpEntry1: *mut ENTRYID,
        cbEntry2: u32,
        lpEntry2: *mut ENTRYID,
        ulCompareFlags: u32,
        lpulResult: *mut u32,
    ) -> HRESULT;
    /// Slot 18: `OpenTemplateID(ULONG cbTemplateID, LPENTRYID lpTemplateID, ULONG
    /// ulTemplateFlags, LPMAPIPROP lpMAPIPropData, LPCIID lpInterface, LPMAPIPROP*
    /// lppMAPIPropNew, LPMAPIPROP lpMAPIPropSibling)`.
    pub(crate) fn OpenTemplateID(
        &self,
        cbTemplateID: u32,
        lpTemplateID: *mut ENTRYID,
        ulTemplateFlags: u32,
        lpMAPIPropData: *mut c_void,
        lpInterface: *const GUID,
        lppMAPIPropNew: *mut *mut c_void,
        lpMAPIPropSibling: *mut c_void,
    ) -> HRESULT;
    /// Slot 19: `OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface, ULONG
    /// ulOpenFlags, ULONG* lpulObjType, LPUNKNOWN* lppUnk)`.
    pub(crate) fn OpenEntry(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        lpInterface: *const GUID,
        ulOpenFlags: u32,
        lpulObjType: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 20: `GetOneOffTable(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetOneOffTable(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 21: `Address(ULONG_PTR* lpulUIParam, LPADRPARM lpAdrParms, LPADRLIST* lppAdrList)`.
    pub(crate) fn Address(
        &self,
        lpulUIParam: *mut usize,
        lpAdrParms: *mut ADRPARM,
        lppAdrList: *mut *mut ADRLIST,
    ) -> HRESULT;
    /// Slot 22: `Details(ULONG_PTR* lpulUIParam, LPFNDISMISS lpfnDismiss, LPVOID
    /// lpvDismissContext, ULONG cbEntryID, LPENTRYID lpEntryID, LPFNBUTTON lpfButtonCallback,
    /// LPVOID lpvButtonContext, LPTSTR lpszButtonText, ULONG ulFlags)`.
    pub(crate) fn Details(
        &self,
        lpulUIParam: *mut usize,
        lpfnDismiss: Option<LPFNDISMISS>,
        lpvDismissContext: *mut c_void,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        lpfButtonCallback: Option<LPFNBUTTON>,
        lpvButtonContext: *mut c_void,
        lpszButtonText: LPTSTR,
        ulFlags: u32,
    ) -> HRESULT;
    /// Slot 23: `NewEntry(ULONG_PTR ulUIParam, ULONG ulFlags, ULONG cbEIDContainer, LPENTRYID
    /// lpEIDContainer, ULONG cbEIDNewEntryTpl, LPENTRYID lpEIDNewEntryTpl, ULONG*
    /// lpcbEIDNewEntry, LPENTRYID* lppEIDNewEntry)`.
    pub(crate) fn NewEntry(
        &self,
        ulUIParam: usize,
        ulFlags: u32,
        cbEIDContainer: u32,
        lpEIDContainer: *mut ENTRYID,
        cbEIDNewEntryTpl: u32,
        lpEIDNewEntryTpl: *mut ENTRYID,
        lpcbEIDNewEntry: *mut u32,
        lppEIDNewEntry: *mut *mut ENTRYID,
    ) -> HRESULT;
    /// Slot 24: `DoConfigPropsheet(ULONG_PTR ulUIParam, ULONG ulFlags, LPTSTR lpszTitle,
    /// LPMAPITABLE lpDisplayTable, LPMAPIPROP lpConfigData, ULONG ulTopPage)`.
    pub(crate) fn DoConfigPropsheet(
        &self,
        ulUIParam: usize,
        ulFlags: u32,
        lpszTitle: LPTSTR,
        lpDisplayTable: *mut c_void,
        lpConfigData: *mut c_void,
        ulTopPage: u32,
    ) -> HRESULT;
    /// Slot 25: `CopyMessages(LPCIID lpSrcInterface, LPVOID lpSrcFolder, LPENTRYLIST lpMsgList,
    /// LPCIID lpDestInterface, LPVOID lpDestFolder, ULONG_PTR ulUIParam, LPMAPIPROGRESS
    /// lpProgress, ULONG ulFlags)`.
    pub(crate) fn CopyMessages(
        &self,
        lpSrcInterface: *const GUID,
        lpSrcFolder: *mut c_void,
        lpMsgList: *mut ENTRYLIST,
        lpDestInterface: *const GUID,
        lpDestFolder: *mut c_void,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        ulFlags: u32,
    ) -> HRESULT;
    /// Slot 26: `CopyFolder(LPCIID lpSrcInterface, LPVOID lpSrcFolder, ULONG cbEntryID,
    /// LPENTRYID lpEntryID, LPCIID lpDestInterface, LPVOID lpDestFolder, LPTSTR
    /// lszNewFolderName, ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress, ULONG ulFlags)`.
    pub(crate) fn CopyFolder(
        &self,
        lpSrcInterface: *const GUID,
        lpSrcFolder: *mut c_void,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        lpDestInterface: *const GUID,
        lpDestFolder: *mut c_void,
        lszNewFolderName: LPTSTR,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        ulFlags: u32,
    ) -> HRESULT;
    /// Slot 27: `DoCopyTo(LPCIID lpSrcInterface, LPVOID lpSrcObj, ULONG ciidExclude, LPCIID
    /// rgiidExclude, LPSPropTagArray lpExcludeProps, ULONG_PTR ulUIParam, LPMAPIPROGRESS
    /// lpProgress, LPCIID lpDestInterface, LPVOID lpDestObj, ULONG ulFlags, LPSPropProblemArray*
    /// lppProblems)`.
    pub(crate) fn DoCopyTo(
        &self,
        lpSrcInterface: *const GUID,
        lpSrcObj: *mut c_void,
        ciidExclude: u32,
        rgiidExclude: *const GUID,
        lpExcludeProps: *mut SPropTagArray,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        lpDestInterface: *const GUID,
        lpDestObj: *mut c_void,
        ulFlags: u32,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT;
    /// Slot 28: `DoCopyProps(LPCIID lpSrcInterface, LPVOID lpSrcObj, LPSPropTagArray
    /// lpIncludeProps, ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress, LPCIID lpDestInterface,
    /// LPVOID lpDestObj, ULONG ulFlags, LPSPropProblemArray* lppProblems)`.
    pub(crate) fn DoCopyProps(
        &self,
        lpSrcInterface: *const GUID,
        lpSrcObj: *mut c_void,
        lpIncludeProps: *mut SPropTagArray,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        lpDestInterface: *const GUID,
        lpDestObj: *mut c_void,
        ulFlags: u32,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT;
    /// Slot 29: `DoProgressDialog(ULONG_PTR ulUIParam, ULONG ulFlags, LPMAPIPROGRESS*
    /// lppProgress)`.
    pub(crate) fn DoProgressDialog(
        &self,
        ulUIParam: usize,
        ulFlags: u32,
        lppProgress: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 30: `ReadReceipt(ULONG ulFlags, LPMESSAGE lpReadMessage, LPMESSAGE*
    /// lppEmptyMessage)`.
    pub(crate) fn ReadReceipt(
        &self,
        ulFlags: u32,
        lpReadMessage: *mut c_void,
        lppEmptyMessage: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 31: `PrepareSubmit(LPMESSAGE lpMessage, ULONG* lpulFlags)`.
    pub(crate) fn PrepareSubmit(&self, lpMessage: *mut c_void, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 32: `ExpandRecips(LPMESSAGE lpMessage, ULONG* lpulFlags)`.
    pub(crate) fn ExpandRecips(&self, lpMessage: *mut c_void, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 33: `UpdatePAB(ULONG ulFlags, LPMESSAGE lpMessage)`.
    pub(crate) fn UpdatePAB(&self, ulFlags: u32, lpMessage: *mut c_void) -> HRESULT;
    /// Slot 34: `DoSentMail(ULONG ulFlags, LPMESSAGE lpMessage)`.
    pub(crate) fn DoSentMail(&self, ulFlags: u32, lpMessage: *mut c_void) -> HRESULT;
    /// Slot 35: `OpenAddressBook(LPCIID lpInterface, ULONG ulFlags, LPADRBOOK* lppAdrBook)`.
    pub(crate) fn OpenAddressBook(
        &self,
        lpInterface: *const GUID,
        ulFlags: u32,
        lppAdrBook: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 36: `Preprocess(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID)`.
    pub(crate) fn Preprocess(&self, ulFlags: u32, cbEntryID: u32, lpEntryID: *mut ENTRYID) -> HRESULT;
    /// Slot 37: `CompleteMsg(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID)`.
    pub(crate) fn CompleteMsg(&self, ulFlags: u32, cbEntryID: u32, lpEntryID: *mut ENTRYID) -> HRESULT;
    /// Slot 38: `StoreLogoffTransports(ULONG* lpulFlags)`, the flags in and out.
    pub(crate) fn StoreLogoffTransports(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 39: `StatusRecips(LPMESSAGE lpMessage, LPADRLIST lpRecipList)`.
    pub(crate) fn StatusRecips(&self, lpMessage: *mut c_void, lpRecipList: *mut ADRLIST) -> HRESULT;
    /// Slot 40: `WrapStoreEntryID(ULONG cbOrigEntry, LPENTRYID lpOrigEntry, ULONG*
    /// lpcbWrappedEntry, LPENTRYID* lppWrappedEntry)`.
    pub(crate) fn WrapStoreEntryID(
        &self,
        cbOrigEntry: u32,
        lpOrigEntry: *mut ENTRYID,
        lpcbWrappedEntry: *mut u32,
        lppWrappedEntry: *mut *mut ENTRYID,
    ) -> HRESULT;
    /// Slot 41: `ModifyProfile(ULONG ulFlags)`.
    pub(crate) fn ModifyProfile(&self, ulFlags: u32) -> HRESULT;
    /// Slot 42: `IStorageFromStream(LPUNKNOWN lpUnkIn, LPCIID lpInterface, ULONG ulFlags,
    /// LPSTORAGE* lppStorageOut)`.
    pub(crate) fn IStorageFromStream(
        &self,
        lpUnkIn: *mut c_void,
        lpInterface: *const GUID,
        ulFlags: u32,
        lppStorageOut: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 43: `GetSvcConfigSupportObj(ULONG ulFlags, LPMAPISUP* lppSvcSupport)`.
    pub(crate) fn GetSvcConfigSupportObj(&self, ulFlags: u32, lppSvcSupport: *mut *mut c_void) -> HRESULT;
}

/// `IProfSect` (`LPPROFSECT`), IID `{00020304-0000-0000-C000-000000000046}`: a profile section.
/// `IMAPIProp`'s 14 slots and none of its own.
#[windows_core::interface("00020304-0000-0000-C000-000000000046")]
pub unsafe trait IProfSect: IMAPIProp {}

/// `IMalloc` (`LPMALLOC`), OLE's allocator, IID `{00000002-0000-0000-C000-000000000046}`: given
/// to the entry points as `lpMalloc`. 9 slots; no method returns an `HRESULT`.
#[windows_core::interface("00000002-0000-0000-C000-000000000046")]
pub unsafe trait IMalloc: IUnknown {
    /// Slot 3: `void* Alloc(SIZE_T cb)`: a block of `cb` bytes, or NULL.
    pub(crate) fn Alloc(&self, cb: usize) -> *mut c_void;
    /// Slot 4: `void* Realloc(void* pv, SIZE_T cb)`: the block resized (perhaps moved), or NULL.
    pub(crate) fn Realloc(&self, pv: *mut c_void, cb: usize) -> *mut c_void;
    /// Slot 5: `void Free(void* pv)`.
    pub(crate) fn Free(&self, pv: *mut c_void);
    /// Slot 6: `SIZE_T GetSize(void* pv)`: the block's size in bytes.
    pub(crate) fn GetSize(&self, pv: *mut c_void) -> usize;
    /// Slot 7: `int DidAlloc(void* pv)`: 1 if this allocator made the block, 0 if not, -1 if it
    /// cannot tell.
    pub(crate) fn DidAlloc(&self, pv: *mut c_void) -> i32;
    /// Slot 8: `void HeapMinimize()`.
    pub(crate) fn HeapMinimize(&self);
}

/// `IMAPIStatus` (`LPMAPISTATUS`), IID `{00020305-0000-0000-C000-000000000046}`: a status object,
/// as a store logon's `OpenStatusEntry` returns it. Derives from `IMAPIProp`; 4 slots of its own,
/// 18 in all.
#[windows_core::interface("00020305-0000-0000-C000-000000000046")]
pub unsafe trait IMAPIStatus: IMAPIProp {
    /// Slot 14: `ValidateState(ULONG_PTR ulUIParam, ULONG ulFlags)`.
    pub(crate) fn ValidateState(&self, ulUIParam: usize, ulFlags: u32) -> HRESULT;
    /// Slot 15: `SettingsDialog(ULONG_PTR ulUIParam, ULONG ulFlags)`.
    pub(crate) fn SettingsDialog(&self, ulUIParam: usize, ulFlags: u32) -> HRESULT;
    /// Slot 16: `ChangePassword(LPTSTR lpOldPass, LPTSTR lpNewPass, ULONG ulFlags)`.
    pub(crate) fn ChangePassword(&self, lpOldPass: LPTSTR, lpNewPass: LPTSTR, ulFlags: u32) -> HRESULT;
    /// Slot 17: `FlushQueues(ULONG_PTR ulUIParam, ULONG cbTargetTransport, LPENTRYID
    /// lpTargetTransport, ULONG ulFlags)`.
    pub(crate) fn FlushQueues(
        &self,
        ulUIParam: usize,
        cbTargetTransport: u32,
        lpTargetTransport: *mut ENTRYID,
        ulFlags: u32,
    ) -> HRESULT;
}

/// `IMessage` (`LPMESSAGE`), IID `{00020307-0000-0000-C000-000000000046}`: a message, as its store
/// provider exposes it. Derives from `IMAPIProp`; 8 slots of its own, 22 in all. Attachments
/// (`LPATTACH`) and tables (`LPMAPITABLE`) come back as untyped interface pointers.
#[windows_core::interface("00020307-0000-0000-C000-000000000046")]
pub unsafe trait IMessage: IMAPIProp {
    /// Slot 14: `GetAttachmentTable(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetAttachmentTable(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 15: `OpenAttach(ULONG ulAttachmentNum, LPCIID lpInterface, ULONG ulFlags, LPATTACH*
    /// lppAttach)`.
    pub(crate) fn OpenAttach(
        &self,
        ulAttachmentNum: u32,
        lpInterface: *const GUID,
        ulFlags: u32,
        lppAttach: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 16: `CreateAttach(LPCIID lpInterface, ULONG ulFlags, ULONG* lpulAttachmentNum,
    /// LPATTACH* lppAttach)`: `lpulAttachmentNum` receives the new attachment's number.
    pub(crate) fn CreateAttach(
        &self,
        lpInterface: *const GUID,
        ulFlags: u32,
        lpulAttachmentNum: *mut u32,
        lppAttach: *mut *mut c_void,
    ) -> HRESULT;
    /// Slot 17: `DeleteAttach(ULONG ulAttachmentNum, ULONG_PTR ulUIParam, LPMAPIPROGRESS
    /// lpProgress, ULONG ulFlags)`.
    pub(crate) fn DeleteAttach(
        &self,
        ulAttachmentNum: u32,
        ulUIParam: usize,
        lpProgress: *mut c_void,
        ulFlags: u32,
    ) -> HRESULT;
    /// Slot 18: `GetRecipientTable(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetRecipientTable(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 19: `ModifyRecipients(ULONG ulFlags, LPADRLIST lpMods)`.
    pub(crate) fn ModifyRecipients(&self, ulFlags: u32, lpMods: *mut ADRLIST) -> HRESULT;
    /// Slot 20: `SubmitMessage(ULONG ulFlags)`.
    pub(crate) fn SubmitMessage(&self, ulFlags: u32) -> HRESULT;
    /// Slot 21: `SetReadFlag(ULONG ulFlags)`.
    pub(crate) fn SetReadFlag(&self, ulFlags: u32) -> HRESULT;
}

/// `IMAPIProviderShutdown`, IID `{00020398-0000-0000-C000-000000000046}`: fast shutdown, which a
/// provider object may expose through `QueryInterface`. 6 slots.
#[windows_core::interface("00020398-0000-0000-C000-000000000046")]
pub unsafe trait IMAPIProviderShutdown: IUnknown {
    /// Slot 3: `QueryFastShutdown()`: `S_OK` to take part, `MAPI_E_NO_SUPPORT` not to.
    pub(crate) fn QueryFastShutdown(&self) -> HRESULT;
    /// Slot 4: `NotifyProcessShutdown()`: the client process is about to shut down.
    pub(crate) fn NotifyProcessShutdown(&self) -> HRESULT;
    /// Slot 5: `DoFastShutdown()`: the client process is shutting down now.
    pub(crate) fn DoFastShutdown(&self) -> HRESULT;
}

/// `IProviderAdmin` (`LPPROVIDERADMIN`), IID `{00020325-0000-0000-C000-000000000046}`: a message
/// service's providers, as its entry point reaches them; implemented by MAPI. 8 slots.
#[windows_core::interface("00020325-0000-0000-C000-000000000046")]
pub unsafe trait IProviderAdmin: IUnknown {
    /// Slot 3: `GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError)`.
    pub(crate) fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT;
    /// Slot 4: `GetProviderTable(ULONG ulFlags, LPMAPITABLE* lppTable)`.
    pub(crate) fn GetProviderTable(&self, ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT;
    /// Slot 5: `CreateProvider(LPTSTR lpszProvider, ULONG cValues, LPSPropValue lpProps,
    /// ULONG_PTR ulUIParam, ULONG ulFlags, MAPIUID* lpUID)`: `lpUID` receives the new
    /// provider's UID.
    pub(crate) fn CreateProvider(
        &self,
        lpszProvider: LPTSTR,
        cValues: u32,
        lpProps: *mut SPropValue,
        ulUIParam: usize,
        ulFlags: u32,
        lpUID: *mut MAPIUID,
    ) -> HRESULT;
    /// Slot 6: `DeleteProvider(LPMAPIUID lpUID)`.
    pub(crate) fn DeleteProvider(&self, lpUID: *mut MAPIUID) -> HRESULT;
    /// Slot 7: `OpenProfileSection(LPMAPIUID lpUID, LPCIID lpInterface, ULONG ulFlags,
    /// LPPROFSECT* lppProfSect)`: NULL `lpUID` from a service entry point is the service's own
    /// section.
    pub(crate) fn OpenProfileSection(
        &self,
        lpUID: *mut MAPIUID,
        lpInterface: *const GUID,
        ulFlags: u32,
        lppProfSect: *mut *mut c_void,
    ) -> HRESULT;
}

/// `IMAPITable` (`LPMAPITABLE`), IID `{00020301-0000-0000-C000-000000000046}`: a view of a
/// table, as `IProviderAdmin::GetProviderTable` returns one. 23 slots of its own, 26 in all, in
/// the order of Microsoft's `IMAPITable : IUnknown` page (the reference gives only the IID).
/// `BOOKMARK` is a `ULONG_PTR` (Microsoft's `BOOKMARK` page; some third-party headers say
/// `ULONG`, which differs on 64-bit).
#[windows_core::interface("00020301-0000-0000-C000-000000000046")]
pub unsafe trait IMAPITable: IUnknown {
    /// Slot 3: `GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError)`.
    pub(crate) fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT;
    /// Slot 4: `Advise(ULONG ulEventMask, LPMAPIADVISESINK lpAdviseSink, ULONG_PTR*
    /// lpulConnection)`.
    pub(crate) fn Advise(
        &self,
        ulEventMask: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT;
    /// Slot 5: `Unadvise(ULONG_PTR ulConnection)`.
    pub(crate) fn Unadvise(&self, ulConnection: usize) -> HRESULT;
    /// Slot 6: `GetStatus(ULONG* lpulTableStatus, ULONG* lpulTableType)`.
    pub(crate) fn GetStatus(&self, lpulTableStatus: *mut u32, lpulTableType: *mut u32) -> HRESULT;
    /// Slot 7: `SetColumns(LPSPropTagArray lpPropTagArray, ULONG ulFlags)`.
    pub(crate) fn SetColumns(&self, lpPropTagArray: *mut SPropTagArray, ulFlags: u32) -> HRESULT;
    /// Slot 8: `QueryColumns(ULONG ulFlags, LPSPropTagArray* lpPropTagArray)`.
    pub(crate) fn QueryColumns(&self, ulFlags: u32, lpPropTagArray: *mut *mut SPropTagArray) -> HRESULT;
    /// Slot 9: `GetRowCount(ULONG ulFlags, ULONG* lpulCount)`.
    pub(crate) fn GetRowCount(&self, ulFlags: u32, lpulCount: *mut u32) -> HRESULT;
    /// Slot 10: `SeekRow(BOOKMARK bkOrigin, LONG lRowCount, LONG* lplRowsSought)`.
    pub(crate) fn SeekRow(&self, bkOrigin: usize, lRowCount: i32, lplRowsSought: *mut i32) -> HRESULT;
    /// Slot 11: `SeekRowApprox(ULONG ulNumerator, ULONG ulDenominator)`.
    pub(crate) fn SeekRowApprox(&self, ulNumerator: u32, ulDenominator: u32) -> HRESULT;
    /// Slot 12: `QueryPosition(ULONG* lpulRow, ULONG* lpulNumerator, ULONG* lpulDenominator)`.
    pub(crate) fn QueryPosition(
        &self,
        lpulRow: *mut u32,
        lpulNumerator: *mut u32,
        lpulDenominator: *mut u32,
    ) -> HRESULT;
    /// Slot 13: `FindRow(LPSRestriction lpRestriction, BOOKMARK bkOrigin, ULONG ulFlags)`.
    pub(crate) fn FindRow(&self, lpRestriction: *mut SRestriction, bkOrigin: usize, ulFlags: u32) -> HRESULT;
    /// Slot 14: `Restrict(LPSRestriction lpRestriction, ULONG ulFlags)`.
    pub(crate) fn Restrict(&self, lpRestriction: *mut SRestriction, ulFlags: u32) -> HRESULT;
    /// Slot 15: `CreateBookmark(BOOKMARK* lpbkPosition)`.
    pub(crate) fn CreateBookmark(&self, lpbkPosition: *mut usize) -> HRESULT;
    /// Slot 16: `FreeBookmark(BOOKMARK bkPosition)`.
    pub(crate) fn FreeBookmark(&self, bkPosition: usize) -> HRESULT;
    /// Slot 17: `SortTable(LPSSortOrderSet lpSortCriteria, ULONG ulFlags)`.
    pub(crate) fn SortTable(&self, lpSortCriteria: *mut SSortOrderSet, ulFlags: u32) -> HRESULT;
    /// Slot 18: `QuerySortOrder(LPSSortOrderSet* lppSortCriteria)`.
    pub(crate) fn QuerySortOrder(&self, lppSortCriteria: *mut *mut SSortOrderSet) -> HRESULT;
    /// Slot 19: `QueryRows(LONG lRowCount, ULONG ulFlags, LPSRowSet* lppRows)`.
    pub(crate) fn QueryRows(&self, lRowCount: i32, ulFlags: u32, lppRows: *mut *mut SRowSet) -> HRESULT;
    /// Slot 20: `Abort()`.
    pub(crate) fn Abort(&self) -> HRESULT;
    /// Slot 21: `ExpandRow(ULONG cbInstanceKey, LPBYTE pbInstanceKey, ULONG ulRowCount, ULONG
    /// ulFlags, LPSRowSet* lppRows, ULONG* lpulMoreRows)`.
    pub(crate) fn ExpandRow(
        &self,
        cbInstanceKey: u32,
        pbInstanceKey: *mut u8,
        ulRowCount: u32,
        ulFlags: u32,
        lppRows: *mut *mut SRowSet,
        lpulMoreRows: *mut u32,
    ) -> HRESULT;
    /// Slot 22: `CollapseRow(ULONG cbInstanceKey, LPBYTE pbInstanceKey, ULONG ulFlags, ULONG*
    /// lpulRowCount)`.
    pub(crate) fn CollapseRow(
        &self,
        cbInstanceKey: u32,
        pbInstanceKey: *mut u8,
        ulFlags: u32,
        lpulRowCount: *mut u32,
    ) -> HRESULT;
    /// Slot 23: `WaitForCompletion(ULONG ulFlags, ULONG ulTimeout, ULONG* lpulTableStatus)`.
    pub(crate) fn WaitForCompletion(
        &self,
        ulFlags: u32,
        ulTimeout: u32,
        lpulTableStatus: *mut u32,
    ) -> HRESULT;
    /// Slot 24: `GetCollapseState(ULONG ulFlags, ULONG cbInstanceKey, LPBYTE lpbInstanceKey,
    /// ULONG* lpcbCollapseState, LPBYTE* lppbCollapseState)`.
    pub(crate) fn GetCollapseState(
        &self,
        ulFlags: u32,
        cbInstanceKey: u32,
        lpbInstanceKey: *mut u8,
        lpcbCollapseState: *mut u32,
        lppbCollapseState: *mut *mut u8,
    ) -> HRESULT;
    /// Slot 25: `SetCollapseState(ULONG ulFlags, ULONG cbCollapseState, LPBYTE pbCollapseState,
    /// BOOKMARK* lpbkLocation)`.
    pub(crate) fn SetCollapseState(
        &self,
        ulFlags: u32,
        cbCollapseState: u32,
        pbCollapseState: *mut u8,
        lpbkLocation: *mut usize,
    ) -> HRESULT;
}

/// `IMAPIAdviseSink` (`LPMAPIADVISESINK`), IID `IID_IMAPIAdviseSink`,
/// `{00020302-0000-0000-C000-000000000046}`: receives notifications; implemented by whoever
/// registers for them (a client, or a provider through `IMAPISupport::Subscribe`) and called by
/// MAPI or the provider that raises the event. 4 slots.
///
/// Its one method returns a `ULONG`, not an `HRESULT` (Microsoft's reference,
/// <https://learn.microsoft.com/office/client-developer/outlook/mapi/imapiadvisesink-onnotify>:
/// `ULONG OnNotify(ULONG cNotif, LPNOTIFICATION lpNotifications)`): 0, or `CALLBACK_DISCONTINUE`
/// to stop a synchronous delivery. Both are 32 bits returned in the same register, so a sink
/// declared with an `HRESULT` (as some headers do) has the same binary interface.
#[windows_core::interface("00020302-0000-0000-C000-000000000046")]
pub unsafe trait IMAPIAdviseSink: IUnknown {
    /// Slot 3: `ULONG OnNotify(ULONG cNotif, LPNOTIFICATION lpNotifications)`: `cNotif`
    /// notifications at `lpNotifications`. Returns a `ULONG`, not an `HRESULT`.
    pub(crate) fn OnNotify(&self, cNotif: u32, lpNotifications: *mut NOTIFICATION) -> u32;
}

/// `IMAPIProgress` (`LPMAPIPROGRESS`), IID `{0002031F-0000-0000-C000-000000000046}`: a progress
/// indicator, called by providers during long operations. 8 slots.
#[windows_core::interface("0002031F-0000-0000-C000-000000000046")]
pub unsafe trait IMAPIProgress: IUnknown {
    /// Slot 3: `Progress(ULONG ulValue, ULONG ulCount, ULONG ulTotal)`.
    pub(crate) fn Progress(&self, ulValue: u32, ulCount: u32, ulTotal: u32) -> HRESULT;
    /// Slot 4: `GetFlags(ULONG* lpulFlags)`.
    pub(crate) fn GetFlags(&self, lpulFlags: *mut u32) -> HRESULT;
    /// Slot 5: `GetMax(ULONG* lpulMax)`.
    pub(crate) fn GetMax(&self, lpulMax: *mut u32) -> HRESULT;
    /// Slot 6: `GetMin(ULONG* lpulMin)`.
    pub(crate) fn GetMin(&self, lpulMin: *mut u32) -> HRESULT;
    /// Slot 7: `SetLimits(ULONG* lpulMin, ULONG* lpulMax, ULONG* lpulFlags)`; each may be NULL.
    pub(crate) fn SetLimits(&self, lpulMin: *mut u32, lpulMax: *mut u32, lpulFlags: *mut u32) -> HRESULT;
}

/// `IMSCapabilities`, IID `{00020393-0000-0000-C000-000000000046}`: what a store supports, asked
/// through `QueryInterface` on the store. 4 slots.
#[windows_core::interface("00020393-0000-0000-C000-000000000046")]
pub unsafe trait IMSCapabilities: IUnknown {
    /// Slot 3: `ULONG GetCapabilities(MSCAP_SELECTOR mscapSelector)`: the capability bits for the
    /// selector, 0 for none. Returns a `ULONG`, not an `HRESULT`.
    pub(crate) fn GetCapabilities(&self, mscapSelector: MSCAP_SELECTOR) -> u32;
}
