// A small inline SVG for the editor (a stylised CRM card, not Zoho's trademark logo).
export const zohoCrmIcon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">' +
  '<rect x="2" y="5" width="28" height="22" rx="4" fill="#E42527"/>' +
  '<circle cx="11" cy="14" r="4" fill="#fff"/>' +
  '<path d="M5 23c1-3.5 3.5-5 6-5s5 1.5 6 5z" fill="#fff"/>' +
  '<rect x="19" y="11" width="8" height="2" rx="1" fill="#fff"/>' +
  '<rect x="19" y="15" width="8" height="2" rx="1" fill="#fff"/>' +
  '<rect x="19" y="19" width="5" height="2" rx="1" fill="#fff"/>' +
  '</svg>';
